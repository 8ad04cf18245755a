export {
  FleetHome,
  REQUEST_TEMPLATE_PATH,
  UPGRADE_TEMPLATE_PATH,
} from './FleetHome';
