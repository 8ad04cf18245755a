import { createFrontendModule } from '@backstage/frontend-plugin-api';
import {
  HomePageLayoutBlueprint,
  HomePageWidgetBlueprint,
} from '@backstage/plugin-home-react/alpha';
import { MarkdownContent } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';

const content = `
## Welcome to Shipyard

One portal for the whole Kubernetes fleet, whatever the distribution.

- **See the fleet** — every cluster of every management cluster on the [Fleet](/shipyard) page
- **Browse the catalog** — clusters, cluster profiles and their owning teams in the [catalog](/catalog)
- **Request a cluster** — pick a cluster profile in [Create](/create)
`;

const gettingStartedWidget = HomePageWidgetBlueprint.make({
  name: 'getting-started',
  params: {
    name: 'GettingStarted',
    title: 'Getting Started',
    description: 'Where to start in Shipyard',
    components: async () => ({
      Content: () => <MarkdownContent content={content} />,
    }),
  },
});

/**
 * The home page (at `/`, see app-config.yaml): the fleet at a glance from Shipyard, then the installed widgets.
 */
const homeLayout = HomePageLayoutBlueprint.make({
  name: 'shipyard',
  params: {
    loader: async () => {
      const { FleetHome } = await import('@shipyard/plugin-shipyard');
      return ({ widgets }) => (
        <Box p={3}>
          <FleetHome />
          <Box mt={3}>
            <Grid container spacing={3}>
              {widgets.map((w, i) => (
                <Grid item xs={12} md={6} key={w.name ?? i}>
                  {w.component}
                </Grid>
              ))}
            </Grid>
          </Box>
        </Box>
      );
    },
  },
});

export const homeModule = createFrontendModule({
  pluginId: 'home',
  extensions: [gettingStartedWidget, homeLayout],
});
