export { FacetFilterBar, facetValueLabel } from './FacetFilterBar';
