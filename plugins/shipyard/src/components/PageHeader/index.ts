export {
  EmbeddedPage,
  ShipyardHeader,
  StandalonePageHeaderContext,
  useStandalonePageHeader,
} from './PageHeader';
