import { PermissionCriteria } from '@backstage/plugin-permission-common';
import { ClusterPermissionQuery } from './permissions';

/** Composes permission criteria over cluster predicates into one predicate. */
export function criteriaToPredicate(
  criteria: PermissionCriteria<ClusterPermissionQuery>,
): ClusterPermissionQuery {
  if ('allOf' in criteria) {
    const parts = criteria.allOf.map(criteriaToPredicate);
    return c => parts.every(p => p(c));
  }
  if ('anyOf' in criteria) {
    const parts = criteria.anyOf.map(criteriaToPredicate);
    return c => parts.some(p => p(c));
  }
  if ('not' in criteria) {
    const inner = criteriaToPredicate(criteria.not);
    return c => !inner(c);
  }
  return criteria;
}
