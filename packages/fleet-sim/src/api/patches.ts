/** Applying a JSON, merge or strategic merge patch to an object, with the errors an API server answers. */
import { ApiError, errors } from './errors';
import { PatchType } from './writeOptions';
import {
  JsonObject,
  PatchError,
  isObject,
  jsonMergePatch,
  jsonPatch,
} from '../util/json';
import { strategicMergePatch } from '../util/strategicMergePatch';

/**
 * The object `current` with `patchBody` applied (`current` is not changed). A malformed patch is a 400, a patch
 * that cannot be applied (a missing path, a failed test) a 422, as kube-apiserver answers.
 */
export function applyPatch(
  current: JsonObject,
  type: Exclude<PatchType, 'apply'>,
  patchBody: unknown,
): JsonObject {
  let patched: unknown;
  try {
    if (type === 'json') patched = jsonPatch(current, patchBody);
    else if (type === 'merge') {
      if (!isObject(patchBody))
        throw new PatchError('a merge patch must be a JSON object', true);
      patched = jsonMergePatch(current, patchBody);
    } else {
      if (!isObject(patchBody))
        throw new PatchError(
          'a strategic merge patch must be a JSON object',
          true,
        );
      patched = strategicMergePatch(current, patchBody);
    }
  } catch (e) {
    if (e instanceof PatchError) {
      if (e.malformed) throw errors.badRequest(e.message);
      throw new ApiError(
        422,
        'Invalid',
        `the server rejected our request due to an error in our request: ${e.message}`,
      );
    }
    throw e;
  }
  if (!isObject(patched))
    throw errors.badRequest('the patch did not produce an object');
  return patched;
}
