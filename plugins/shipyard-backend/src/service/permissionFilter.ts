export { criteriaToPredicate } from '@shipyard/plugin-shipyard-node';
