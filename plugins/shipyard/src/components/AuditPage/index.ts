export { AuditPage, auditQueryOf } from './AuditPage';
