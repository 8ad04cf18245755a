import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { HomePageWidgetBlueprint } from '@backstage/plugin-home-react/alpha';
import { MarkdownContent } from '@backstage/core-components';

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

export const homeModule = createFrontendModule({
  pluginId: 'home',
  extensions: [gettingStartedWidget],
});
