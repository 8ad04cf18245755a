import { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import FormControl from '@material-ui/core/FormControl';
import FormHelperText from '@material-ui/core/FormHelperText';
import InputLabel from '@material-ui/core/InputLabel';
import MenuItem from '@material-ui/core/MenuItem';
import Select from '@material-ui/core/Select';
import { ReactNode, useEffect } from 'react';

/** One choice of a {@link ChoiceField}. */
export interface Choice {
  value: string;
  label: ReactNode;
  disabled?: boolean;
}

/**
 * The select of the request form's pickers: one value among the choices, kept among them (the `fallback` when it
 * is one of them, else the first choice) whenever the choices change.
 */
export const ChoiceField = (props: {
  field: FieldExtensionComponentProps<string, any>;
  title: string;
  testId: string;
  choices: Choice[];
  fallback?: string;
  /** Disabled besides when there is nothing to choose. */
  disabled?: boolean;
  error?: boolean;
  helper: ReactNode;
  /** Shown below the helper text, inside the field. */
  children?: ReactNode;
}) => {
  const { formData, onChange, required, rawErrors, schema, idSchema } =
    props.field;
  const values = props.choices.filter(c => !c.disabled).map(c => c.value);
  useEffect(() => {
    if (props.choices.length === 0) return;
    if (formData && values.includes(formData)) return;
    const next =
      props.fallback && values.includes(props.fallback)
        ? props.fallback
        : values[0];
    if (next !== formData) onChange(next);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [props.choices.map(c => `${c.value}:${c.disabled}`).join(',')]);
  const id = idSchema?.$id ?? props.testId;
  const title = schema?.title ?? props.title;
  return (
    <FormControl
      fullWidth
      margin="normal"
      required={required}
      variant="outlined"
      error={(rawErrors?.length ?? 0) > 0 || Boolean(props.error)}
      disabled={Boolean(props.disabled) || props.choices.length === 0}
    >
      <InputLabel id={`${id}-label`}>{title}</InputLabel>
      <Select
        labelId={`${id}-label`}
        id={id}
        label={title}
        value={formData && values.includes(formData) ? formData : ''}
        onChange={e => onChange(String(e.target.value))}
        data-testid={props.testId}
      >
        {props.choices.map(c => (
          <MenuItem
            key={c.value}
            value={c.value}
            disabled={c.disabled}
            data-testid={`${props.testId}-${c.value}`}
          >
            {c.label}
          </MenuItem>
        ))}
      </Select>
      <FormHelperText>{props.helper}</FormHelperText>
      {props.children}
    </FormControl>
  );
};
