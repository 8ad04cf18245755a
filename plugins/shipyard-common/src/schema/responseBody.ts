import { ResponseError } from '@backstage/errors';
import type { TypedResponse } from './openapi';

/**
 * The body of a successful answer of the generated client (`ShipyardOpenApi.DefaultApiClient`); a `ResponseError`
 * with the backend's error body otherwise. The frontend, the catalog module and the scaffolder module read through it.
 */
export async function responseBody<T>(response: TypedResponse<T>): Promise<T> {
  if (!response.ok) {
    throw await ResponseError.fromResponse(response as Response);
  }
  return await response.json();
}
