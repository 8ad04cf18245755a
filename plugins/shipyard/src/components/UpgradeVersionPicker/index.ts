export { UpgradeVersionPicker } from './UpgradeVersionPicker';
export type { UpgradeVersionPickerUiOptions } from './UpgradeVersionPicker';
