// Message components (action rows of buttons or one select menu): Discord's layout rules, checked
// on every message the bot creates or edits (400 50035 like Discord), and what a member can click
// (twin.sendComponent refuses a custom id the message does not show, or a disabled component,
// unless the test says the interaction is crafted).
//
// Rules (classic components, not Components v2):
// - at most 5 action rows (type 1), each with 1–5 components; a select menu fills its row alone;
// - a button (type 2) has a label (≤ 80) or an emoji; styles 1–4 need a custom_id, a link
//   button (style 5) a url and no custom_id;
// - a string select (type 3) has a custom_id and 1–25 options (label and value 1–100,
//   description ≤ 100), a placeholder ≤ 150, and min_values ≤ max_values ≤ the options;
// - custom ids are 1–100 characters and unique within the message.

import type { FormError } from './errors.js';
import { checkArray, checkString, isObject, LIMITS, required, type Path } from './limits.js';
import type { JsonObject, TwinMessage } from './types.js';

export const ComponentType = { ActionRow: 1, Button: 2, StringSelect: 3 } as const;
const ButtonStyle = { Link: 5 } as const;

const SELECT_OPTIONS_MAX = 25;
const SELECT_TEXT_MAX = 100;
const PLACEHOLDER_MAX = 150;

const invalid = (path: Path, message: string): FormError => ({ path, code: 'COMPONENT_INVALID', message });

/** The components of a message (create body or merged edit); Components v2 (flag 1 << 15) is not checked. */
export function validateComponents(components: unknown, flags: number): FormError[] {
  const errors: FormError[] = [];
  if ((flags & (1 << 15)) !== 0) return errors;
  const seen = new Set<string>();
  const rows = checkArray(errors, components, ['components'], LIMITS.actionRows);
  rows.forEach((row, i) => {
    const rowPath = ['components', i];
    if (!isObject(row) || row.type !== ComponentType.ActionRow) {
      errors.push(invalid([...rowPath, 'type'], 'Top-level components must be action rows (type 1).'));
      return;
    }
    const children = checkArray(errors, row.components, [...rowPath, 'components'], LIMITS.rowComponents);
    if (children.length === 0) errors.push(required([...rowPath, 'components']));
    const selects = children.filter((child) => isObject(child) && child.type === ComponentType.StringSelect).length;
    if (selects > 0 && children.length > 1) errors.push(invalid([...rowPath, 'components'], 'A select menu must be alone in its action row.'));
    children.forEach((child, j) => {
      const path = [...rowPath, 'components', j];
      if (!isObject(child)) {
        errors.push(required(path));
        return;
      }
      if (typeof child.custom_id === 'string') {
        if (seen.has(child.custom_id)) errors.push({ path: [...path, 'custom_id'], code: 'COMPONENT_CUSTOM_ID_DUPLICATED', message: 'Component custom id cannot be duplicated' });
        seen.add(child.custom_id);
      }
      if (child.type === ComponentType.Button) validateButton(errors, child, path);
      else if (child.type === ComponentType.StringSelect) validateSelect(errors, child, path);
      else errors.push(invalid([...path, 'type'], `The twin checks buttons (2) and string selects (3), not type ${String(child.type)}.`));
    });
  });
  return errors;
}

function validateButton(errors: FormError[], button: JsonObject, path: Path): void {
  const style = button.style;
  if (typeof style !== 'number' || style < 1 || style > 5) errors.push(invalid([...path, 'style'], 'Value must be one of (1, 2, 3, 4, 5).'));
  checkString(errors, button.label, [...path, 'label'], LIMITS.buttonLabel);
  if ((typeof button.label !== 'string' || button.label === '') && !isObject(button.emoji)) {
    errors.push(invalid(path, 'A button needs a label or an emoji.'));
  }
  if (style === ButtonStyle.Link) {
    checkString(errors, button.url, [...path, 'url'], 512, 1);
    if (button.custom_id !== undefined) errors.push(invalid([...path, 'custom_id'], 'A link button cannot have a custom id.'));
  } else {
    checkString(errors, button.custom_id, [...path, 'custom_id'], LIMITS.customId, 1);
    if (button.url !== undefined) errors.push(invalid([...path, 'url'], 'Only link buttons have a url.'));
  }
}

function validateSelect(errors: FormError[], select: JsonObject, path: Path): void {
  checkString(errors, select.custom_id, [...path, 'custom_id'], LIMITS.customId, 1);
  checkString(errors, select.placeholder, [...path, 'placeholder'], PLACEHOLDER_MAX);
  const options = checkArray(errors, select.options, [...path, 'options'], SELECT_OPTIONS_MAX);
  if (options.length === 0) errors.push(required([...path, 'options']));
  options.forEach((option, k) => {
    const optionPath = [...path, 'options', k];
    const o = isObject(option) ? option : {};
    checkString(errors, o.label, [...optionPath, 'label'], SELECT_TEXT_MAX, 1);
    checkString(errors, o.value, [...optionPath, 'value'], SELECT_TEXT_MAX, 1);
    checkString(errors, o.description, [...optionPath, 'description'], SELECT_TEXT_MAX);
  });
  const min = typeof select.min_values === 'number' ? select.min_values : 1;
  const max = typeof select.max_values === 'number' ? select.max_values : 1;
  if (min < 0 || max < 1 || min > max || max > Math.max(options.length, 1)) {
    errors.push(invalid([...path, 'max_values'], `min_values ${min} and max_values ${max} do not fit ${options.length} option(s).`));
  }
}

/** A clickable component of a message, by custom id. */
export interface FoundComponent {
  readonly type: number;
  readonly disabled: boolean;
  /** A select menu's option values. */
  readonly values: readonly string[];
}

export function findComponent(message: TwinMessage, customId: string): FoundComponent | undefined {
  for (const row of message.components) {
    if (!isObject(row) || !Array.isArray(row.components)) continue;
    for (const child of row.components) {
      if (!isObject(child) || child.custom_id !== customId) continue;
      const options = Array.isArray(child.options) ? child.options.filter(isObject) : [];
      return { type: Number(child.type), disabled: child.disabled === true, values: options.map((option) => String(option.value)) };
    }
  }
  return undefined;
}

/** Every custom id a message shows, for error messages. */
export function customIds(message: TwinMessage): string[] {
  return message.components.flatMap((row) =>
    isObject(row) && Array.isArray(row.components) ? row.components.flatMap((child) => (isObject(child) && typeof child.custom_id === 'string' ? [child.custom_id] : [])) : [],
  );
}
