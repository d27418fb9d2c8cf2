/**
 * Moderation: an operator (ADMIN_TOKEN, server/admin.ts) hides abusive gallery items, drawings,
 * collections and nicknames, and can show them again; nothing is deleted. Everyone is told at once.
 */
import { z } from './zod';
import { CollectionIdSchema } from './collections';
import { definePushes, defineRequests, NICKNAME_MAX, push, request } from './common';

export const HIDEABLE_KINDS = ['galleryItem', 'drawing', 'collection', 'nickname'] as const;
export const HideableKindSchema = z.enum(HIDEABLE_KINDS, {
  error: 'kind is galleryItem, drawing, collection or nickname.',
});
export type HideableKind = z.infer<typeof HideableKindSchema>;

export { HIDDEN_NICKNAME } from './common';

/**
 * A target: a gallery item or drawing id (digits), a collection id, or a nickname (compared without
 * case and surrounding spaces).
 */
export const HiddenTargetSchema = z
  .object({
    kind: HideableKindSchema,
    id: z.string({ error: 'id is text.' }).trim().min(1, 'Say what to hide (its id).').max(Math.max(32, NICKNAME_MAX)),
  })
  .strict()
  .superRefine((t, ctx) => {
    const ok =
      t.kind === 'nickname'
        ? true
        : t.kind === 'collection'
          ? CollectionIdSchema.safeParse(t.id).success
          : /^[1-9][0-9]{0,9}$/.test(t.id) && Number(t.id) <= 2 ** 31 - 1;
    if (!ok) ctx.addIssue({ code: 'custom', message: `That is not a ${t.kind} id.`, path: ['id'] });
  })
  .transform((t) => ({ kind: t.kind, id: t.kind === 'nickname' ? t.id.toLowerCase() : t.id }));

const TokenSchema = z.string({ error: 'Send the operator token.' }).min(1, 'Send the operator token.').max(200);

export const HiddenEntrySchema = z.object({ kind: HideableKindSchema, id: z.string(), hiddenAt: z.string() });
export type HiddenEntry = z.infer<typeof HiddenEntrySchema>;

export const moderationRequests = defineRequests({
  /** Operator only: hide (`hidden: true`) or show again (`false`) one thing; everyone gets `moderation:changed`. */
  'admin:hide': request(
    { token: TokenSchema, target: HiddenTargetSchema, hidden: z.boolean() },
    z.object({ hidden: z.array(HiddenEntrySchema) }),
  ),
  /** Operator only: everything hidden, newest first. */
  'admin:hidden': request({ token: TokenSchema }, z.object({ hidden: z.array(HiddenEntrySchema) })),
});

export const moderationPushes = definePushes({
  /**
   * To everyone: something was hidden or shown again; pages drop (or reload) it. For a nickname
   * `id` is empty (its text is not repeated to everyone): the live views that show it are sent again.
   */
  'moderation:changed': push(z.object({ kind: HideableKindSchema, id: z.string(), hidden: z.boolean() }), 'reliable'),
});
