export { ChoiceField } from './ChoiceField';
export type { Choice } from './ChoiceField';
