import { InputError } from '@backstage/errors';
import { TemplateAction } from '@backstage/plugin-scaffolder-node';
import { toUserFacingError } from '@shipyard/plugin-shipyard-node';
import Ajv from 'ajv';

const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });

/**
 * Checks the input against the action's own input schema before the handler runs, so that an input of the wrong
 * shape (an action run outside the scaffolder's own validation, or a template rendering an object where a string
 * belongs) is refused with an `InputError` that names the field, never reaches the checks as a `TypeError`. Errors
 * the handler throws reach the task without stack frames, file paths or cluster addresses (`toUserFacingError`).
 */
export function withInputValidation<A extends TemplateAction<any, any, any>>(
  action: A,
  /** Called with the refusal before it is thrown (to audit it). */
  onRefused?: (
    ctx: Parameters<A['handler']>[0],
    error: InputError,
  ) => Promise<void>,
): A {
  const schema = action.schema?.input;
  if (!schema || typeof schema !== 'object') return action;
  const validate = ajv.compile(schema as object);
  const handler = action.handler;
  return {
    ...action,
    async handler(ctx) {
      if (!validate(ctx.input ?? {})) {
        const problems = (validate.errors ?? [])
          .slice(0, 5)
          .map(e => {
            const field =
              e.instancePath.replace(/^\//, '').replace(/\//g, '.') ||
              (e.params as { additionalProperty?: string })
                .additionalProperty ||
              'input';
            return `${field} ${e.message}`;
          })
          .join('; ');
        const error = new InputError(
          `Invalid input of ${action.id}: ${problems}`,
        );
        await onRefused?.(ctx, error);
        throw toUserFacingError(error);
      }
      try {
        return await handler(ctx);
      } catch (error) {
        // the scaffolder writes a failed step's stack into the task log, and its message into the task
        throw toUserFacingError(error as Error);
      }
    },
  };
}
