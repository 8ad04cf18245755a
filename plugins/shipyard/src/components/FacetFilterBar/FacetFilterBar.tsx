import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Checkbox from '@material-ui/core/Checkbox';
import Chip from '@material-ui/core/Chip';
import ListItemText from '@material-ui/core/ListItemText';
import Menu from '@material-ui/core/Menu';
import MenuItem from '@material-ui/core/MenuItem';
import ArrowDropDownIcon from '@material-ui/icons/ArrowDropDown';
import { ClusterFacets, FacetCount } from '@shipyard/plugin-shipyard-common';
import { useState } from 'react';
import {
  FACET_LABELS,
  FILTER_FACETS,
  FilterFacet,
  FleetQuery,
} from '../../lib/filters';
import { shortRef } from '../../lib/format';
import { budgetLabel } from '../../lib/budget';
import { driftLabel } from '../../lib/drift';
import { healthLabel } from '../../lib/health';
import { versionSupportLabel } from '../../lib/versionSupport';
import { VersionSupportStatus } from '@shipyard/plugin-shipyard-common';

/** Display text of a facet value. */
export function facetValueLabel(facet: FilterFacet, value: string): string {
  if (facet === 'owner') return shortRef(value);
  if (facet === 'health') return healthLabel(value);
  if (facet === 'versionSupport')
    return versionSupportLabel(value as VersionSupportStatus);
  if (facet === 'drift') return driftLabel(value);
  if (facet === 'budget') return budgetLabel(value);
  return value;
}

const FacetMenu = (props: {
  facet: FilterFacet;
  counts: FacetCount[];
  selected: string[];
  onChange(values: string[]): void;
}) => {
  const { facet, counts, selected, onChange } = props;
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  // selected values stay listed even when the current filters leave them with no clusters
  const values = [...counts];
  for (const v of selected) {
    if (!values.some(c => c.value === v)) values.push({ value: v, count: 0 });
  }
  const toggle = (value: string) =>
    onChange(
      selected.includes(value)
        ? selected.filter(v => v !== value)
        : [...selected, value],
    );
  return (
    <>
      <Button
        size="small"
        variant={selected.length > 0 ? 'contained' : 'outlined'}
        color={selected.length > 0 ? 'primary' : 'default'}
        endIcon={<ArrowDropDownIcon />}
        onClick={e => setAnchor(e.currentTarget)}
        data-testid={`facet-${facet}`}
        aria-haspopup="true"
      >
        {FACET_LABELS[facet]}
        {selected.length > 0 ? ` (${selected.length})` : ''}
      </Button>
      <Menu
        anchorEl={anchor}
        open={Boolean(anchor)}
        onClose={() => setAnchor(null)}
        getContentAnchorEl={null}
        anchorOrigin={{ vertical: 'bottom', horizontal: 'left' }}
        PaperProps={{ style: { maxHeight: 420 } }}
      >
        {values.length === 0 && <MenuItem disabled>No values</MenuItem>}
        {values.map(({ value, count }) => (
          <MenuItem
            key={value}
            dense
            onClick={() => toggle(value)}
            role="menuitemcheckbox"
            aria-checked={selected.includes(value)}
            data-testid={`facet-${facet}-${value}`}
          >
            <Checkbox
              size="small"
              checked={selected.includes(value)}
              tabIndex={-1}
              disableRipple
            />
            <ListItemText
              primary={facetValueLabel(facet, value)}
              secondary={`${count} cluster${count === 1 ? '' : 's'}`}
            />
          </MenuItem>
        ))}
      </Menu>
    </>
  );
};

/** Facet filter buttons (with counts from the current query) and the active filters as removable chips. */
export const FacetFilterBar = (props: {
  facets?: ClusterFacets;
  filters: FleetQuery['filters'];
  onChange(filters: FleetQuery['filters']): void;
  /** Facets not offered (e.g. owner on a team's card). */
  hidden?: FilterFacet[];
}) => {
  const { facets, filters, onChange } = props;
  const shown = FILTER_FACETS.filter(f => !props.hidden?.includes(f));
  const active = shown.flatMap(f =>
    (filters[f] ?? []).map(v => ({ facet: f, value: v })),
  );
  const setFacet = (facet: FilterFacet, values: string[]) => {
    const next = { ...filters };
    if (values.length > 0) next[facet] = values;
    else delete next[facet];
    onChange(next);
  };
  return (
    <Box>
      <Box display="flex" flexWrap="wrap" style={{ gap: 8 }}>
        {shown.map(facet => (
          <FacetMenu
            key={facet}
            facet={facet}
            counts={facets?.[facet] ?? []}
            selected={filters[facet] ?? []}
            onChange={values => setFacet(facet, values)}
          />
        ))}
      </Box>
      {active.length > 0 && (
        <Box
          display="flex"
          flexWrap="wrap"
          alignItems="center"
          mt={1}
          style={{ gap: 8 }}
          data-testid="active-filters"
        >
          {active.map(({ facet, value }) => (
            <Chip
              key={`${facet}=${value}`}
              size="small"
              label={`${FACET_LABELS[facet]}: ${facetValueLabel(facet, value)}`}
              onDelete={() =>
                setFacet(
                  facet,
                  (filters[facet] ?? []).filter(v => v !== value),
                )
              }
            />
          ))}
          <Button
            size="small"
            onClick={() => {
              const next = { ...filters };
              for (const f of shown) delete next[f];
              onChange(next);
            }}
          >
            Clear filters
          </Button>
        </Box>
      )}
    </Box>
  );
};
