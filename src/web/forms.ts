import express, { type RequestHandler } from 'express';
import type { z } from 'zod';

/** One reason a form was refused: about one field (by its `name`), or about the whole form. */
export interface FormProblem {
  field?: string;
  message: string;
}

export interface FormBodyOptions {
  /** Most fields a form may send (default 10); more is a 413. */
  fields?: number;
  /** Default 4 KB; more is a 413. */
  limit?: string;
}

/**
 * The body parser of every HTML form: small, flat (extended: false: no nesting, so no prototype
 * keys), few fields, and never compressed (inflate: false answers 415), so no zlib work is done
 * for unauthenticated clients. Put it after the route's guard, so nobody signed out has a body
 * parsed.
 */
export function formBody({ fields = 10, limit = '4kb' }: FormBodyOptions = {}): RequestHandler {
  return express.urlencoded({ extended: false, limit, parameterLimit: fields, inflate: false });
}

/**
 * A refused input's problems, for showing the form again: the first message of each field in
 * the schema's order, and those about the whole form (an unknown field, say) without a field.
 */
export function formProblems(error: z.ZodError): FormProblem[] {
  const problems: FormProblem[] = [];
  for (const issue of error.issues) {
    const [first] = issue.path;
    const field = typeof first === 'string' ? first : undefined;
    if (field !== undefined && problems.some((p) => p.field === field)) continue;
    problems.push(
      field === undefined ? { message: issue.message } : { field, message: issue.message },
    );
  }
  return problems;
}

/** The message about `field`, if there is one. */
export function problemFor(problems: readonly FormProblem[], field: string): string | undefined {
  return problems.find((p) => p.field === field)?.message;
}

/** The problems of a refused input as one sentence or a few: the JSON API's 400 message. */
export function problemsOf(error: z.ZodError): string {
  return [...new Set(error.issues.map((issue) => issue.message))].join(' ');
}

/**
 * What was typed into a field of a parsed form, to show it again with the form's problems; cut
 * at `maxLength` so a refused giant never travels back whole.
 */
export function typedValue(body: unknown, name: string, maxLength = 2000): string | undefined {
  if (typeof body !== 'object' || body === null || !Object.hasOwn(body, name)) return undefined;
  const value: unknown = (body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value.slice(0, maxLength) : undefined;
}
