import { useApi } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import useAsync from 'react-use/esm/useAsync';
import { ProfileModel, readProfile } from './profile';

/**
 * Options of the profile-driven pickers (`ui:options`): the Kubernetes version, size and management cluster fields
 * read the profile chosen in another field of the form.
 */
export interface ProfilePickerUiOptions {
  /** Name of the form field that holds the profile ref. Default `profile`. */
  profileField?: string;
}

/** The values of the whole scaffolder form, as field extensions see them. */
export function formValues(formContext: unknown): Record<string, unknown> {
  const data = (formContext as { formData?: unknown } | undefined)?.formData;
  return typeof data === 'object' && data !== null
    ? (data as Record<string, unknown>)
    : {};
}

/** A string value of the form, if the field holds one. */
export function formString(
  formContext: unknown,
  field: string,
): string | undefined {
  const v = formValues(formContext)[field];
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/** The cluster profile chosen in another field of the form (`profileField`, default `profile`). */
export function useFormProfile(
  formContext: unknown,
  profileField = 'profile',
): {
  profileRef?: string;
  profile?: ProfileModel;
  loading: boolean;
  error?: Error;
} {
  const profileRef = formString(formContext, profileField);
  const catalogApi = useApi(catalogApiRef);
  const { value, loading, error } = useAsync(async () => {
    if (!profileRef) return undefined;
    const entity = await catalogApi.getEntityByRef(profileRef);
    return entity ? readProfile(entity) : undefined;
  }, [catalogApi, profileRef]);
  return { profileRef, profile: value, loading, error };
}
