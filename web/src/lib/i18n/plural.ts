/**
 * A text in each plural category of a language (Intl.PluralRules): English needs `one` and
 * `other`, Korean `other` alone. `other` is required because every language has it, and it stands
 * in for any category a text leaves out. `{n}` marks where the count goes.
 */
export type PluralForms = Readonly<Partial<Record<Intl.LDMLPluralRule, string>>> & { readonly other: string };

const rulesByLocale = new Map<string, Intl.PluralRules>();

/** One PluralRules per locale: building one costs far more than asking it, and grids re-render often. */
function rulesFor(locale: string): Intl.PluralRules {
  let rules = rulesByLocale.get(locale);
  if (!rules) {
    rules = new Intl.PluralRules(locale);
    rulesByLocale.set(locale, rules);
  }
  return rules;
}

/** The form of `forms` that `count` takes in `locale`, with `{n}` replaced by the count written for that locale. */
export function plural(locale: string, count: number, forms: PluralForms): string {
  const form = forms[rulesFor(locale).select(count)] ?? forms.other;
  return form.replaceAll("{n}", count.toLocaleString(locale));
}
