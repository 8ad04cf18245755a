export { KubernetesVersionPicker } from './KubernetesVersionPicker';
export type { KubernetesVersionPickerUiOptions } from './KubernetesVersionPicker';
