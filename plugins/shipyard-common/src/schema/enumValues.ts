/**
 * The values of one of the spec's enums, as generated from it, typed as a non-empty tuple: the form in which zod's
 * `z.enum` and the code that lists them take them.
 */
export function enumValues<T extends string>(
  values: ReadonlyArray<T>,
): readonly [T, ...T[]] {
  if (values.length === 0) throw new Error('An enum of the spec has no values');
  return values as readonly [T, ...T[]];
}
