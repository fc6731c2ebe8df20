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
 * Every HTML form's body parser: flat (no nesting, so no prototype keys), small, and never
 * compressed (no zlib work for strangers). Mount it after the route's guard.
 */
export function formBody({ fields = 10, limit = '4kb' }: FormBodyOptions = {}): RequestHandler {
  return express.urlencoded({ extended: false, limit, parameterLimit: fields, inflate: false });
}

/** Each field's first problem in the schema's order, and the form's own (an unknown field). */
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

export function problemFor(problems: readonly FormProblem[], field: string): string | undefined {
  return problems.find((p) => p.field === field)?.message;
}

/** The problems of a refused input as one sentence or a few: the JSON API's 400 message. */
export function problemsOf(error: z.ZodError): string {
  return [...new Set(error.issues.map((issue) => issue.message))].join(' ');
}

/** What was typed, to show again; cut so that a refused giant never travels back whole. */
export function typedValue(body: unknown, name: string, maxLength = 2000): string | undefined {
  if (typeof body !== 'object' || body === null || !Object.hasOwn(body, name)) return undefined;
  const value: unknown = (body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value.slice(0, maxLength) : undefined;
}
