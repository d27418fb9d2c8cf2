/**
 * Guests and their drawings: what was drawn (strokes and the 28x28 PNG the model saw), what it was
 * meant to be, and what the model guessed.
 */
import type { Db } from '../client';
import type { Drawing, Guest, Prisma } from '../generated/client';

export function createGuest(db: Db, nickname: string): Promise<Guest> {
  return db.guest.create({ data: { nickname } });
}

export interface DrawingInput {
  authorId?: string | null;
  strokes: Prisma.InputJsonValue;
  /** PNG bytes. */
  image: Uint8Array;
  /** Class index 0-9 the author meant. */
  label: number;
  /** Class index 0-9 the model guessed. */
  guess: number;
  modelVersionId?: number | null;
}

export function saveDrawing(db: Db, input: DrawingInput): Promise<Drawing> {
  return db.drawing.create({
    data: {
      authorId: input.authorId ?? null,
      strokes: input.strokes,
      // Prisma wants a Uint8Array over its own ArrayBuffer (a Node Buffer may be a pooled slice).
      image: new Uint8Array(input.image),
      label: input.label,
      guess: input.guess,
      modelVersionId: input.modelVersionId ?? null,
    },
  });
}

/** Newest first; without the PNG bytes, which a list rarely needs. */
export function listDrawings(
  db: Db,
  filter: { authorId?: string; label?: number; limit?: number } = {},
): Promise<Omit<Drawing, 'image'>[]> {
  return db.drawing.findMany({
    where: { authorId: filter.authorId, label: filter.label },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: filter.limit ?? 50,
    omit: { image: true },
  });
}
