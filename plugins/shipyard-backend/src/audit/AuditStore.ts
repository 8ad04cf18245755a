/*
 * The audit store lives with the other database stores in `stores/`; this path keeps imports made before the move
 * working.
 */
export * from '../stores/AuditStore';
