import { Header } from '@backstage/core-components';
import { createContext, ReactNode, useContext } from 'react';

/**
 * Whether Shipyard pages draw Backstage's page `Header` themselves. True in apps on the legacy frontend system; the
 * new frontend system's app already shows a page header with the plugin's title, so its pages set it to false.
 */
export const StandalonePageHeaderContext = createContext(true);

/** True when the page should draw its own Backstage `Header`. */
export function useStandalonePageHeader(): boolean {
  return useContext(StandalonePageHeaderContext);
}

/** Backstage's `Header`, drawn only where the app does not provide a page header. */
export const ShipyardHeader = (props: {
  title: string;
  subtitle?: string;
  type?: string;
  typeLink?: string;
  children?: ReactNode;
}) => {
  const standalone = useStandalonePageHeader();
  if (!standalone) return null;
  const { children, ...rest } = props;
  return <Header {...rest}>{children}</Header>;
};

/** Renders its children inside the new frontend system's page layout (no second page header). */
export const EmbeddedPage = (props: { children: ReactNode }) => (
  <StandalonePageHeaderContext.Provider value={false}>
    {props.children}
  </StandalonePageHeaderContext.Provider>
);
