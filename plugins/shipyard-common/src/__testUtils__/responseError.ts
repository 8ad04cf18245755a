import { ResponseError } from '@backstage/errors';

/** The error the generated client's `responseBody` throws for an answer of `status`. */
export async function responseError(status: number): Promise<ResponseError> {
  return ResponseError.fromResponse(
    new Response(JSON.stringify({ error: { name: 'Error', message: 'x' } }), {
      status,
      headers: { 'content-type': 'application/json' },
    }),
  );
}
