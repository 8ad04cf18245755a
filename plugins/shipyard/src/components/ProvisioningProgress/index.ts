export {
  ProvisioningProgress,
  provisioningProgress,
  isProvisioning,
} from './ProvisioningProgress';
