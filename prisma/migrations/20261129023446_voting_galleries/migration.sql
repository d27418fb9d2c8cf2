-- CreateTable
CREATE TABLE "VoteRound" (
    "id" SERIAL NOT NULL,
    "room" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "label" INTEGER,
    "hostId" TEXT NOT NULL,
    "modelVersionId" INTEGER,
    "parentRoundId" INTEGER,
    "state" TEXT NOT NULL DEFAULT 'open',
    "seed" INTEGER NOT NULL,
    "closesAt" TIMESTAMP(3) NOT NULL,
    "closedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "VoteRound_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Candidate" (
    "id" SERIAL NOT NULL,
    "roundId" INTEGER NOT NULL,
    "position" INTEGER NOT NULL,
    "label" INTEGER NOT NULL,
    "latent" DOUBLE PRECISION[],
    "confidence" DOUBLE PRECISION NOT NULL,
    "image" BYTEA NOT NULL,
    "origin" TEXT NOT NULL,
    "parentIds" INTEGER[],

    CONSTRAINT "Candidate_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Vote" (
    "id" SERIAL NOT NULL,
    "candidateId" INTEGER NOT NULL,
    "guestId" TEXT NOT NULL,
    "value" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Vote_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "GalleryItem" (
    "id" SERIAL NOT NULL,
    "candidateId" INTEGER NOT NULL,
    "authorId" TEXT,
    "label" INTEGER NOT NULL,
    "latent" DOUBLE PRECISION[],
    "confidence" DOUBLE PRECISION NOT NULL,
    "image" BYTEA NOT NULL,
    "upVotes" INTEGER NOT NULL,
    "downVotes" INTEGER NOT NULL,
    "score" INTEGER NOT NULL,
    "modelVersionId" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "GalleryItem_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Collection" (
    "id" TEXT NOT NULL,
    "ownerId" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "public" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Collection_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CollectionItem" (
    "id" SERIAL NOT NULL,
    "collectionId" TEXT NOT NULL,
    "galleryItemId" INTEGER NOT NULL,
    "order" INTEGER NOT NULL,
    "addedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CollectionItem_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "VoteRound_room_state_idx" ON "VoteRound"("room", "state");

-- CreateIndex
CREATE UNIQUE INDEX "VoteRound_room_number_key" ON "VoteRound"("room", "number");

-- CreateIndex
CREATE UNIQUE INDEX "Candidate_roundId_position_key" ON "Candidate"("roundId", "position");

-- CreateIndex
CREATE INDEX "Vote_guestId_idx" ON "Vote"("guestId");

-- CreateIndex
CREATE UNIQUE INDEX "Vote_candidateId_guestId_key" ON "Vote"("candidateId", "guestId");

-- CreateIndex
CREATE UNIQUE INDEX "GalleryItem_candidateId_key" ON "GalleryItem"("candidateId");

-- CreateIndex
CREATE INDEX "GalleryItem_label_createdAt_idx" ON "GalleryItem"("label", "createdAt");

-- CreateIndex
CREATE INDEX "GalleryItem_score_createdAt_idx" ON "GalleryItem"("score", "createdAt");

-- CreateIndex
CREATE INDEX "GalleryItem_createdAt_idx" ON "GalleryItem"("createdAt");

-- CreateIndex
CREATE INDEX "Collection_ownerId_createdAt_idx" ON "Collection"("ownerId", "createdAt");

-- CreateIndex
CREATE INDEX "Collection_public_createdAt_idx" ON "Collection"("public", "createdAt");

-- CreateIndex
CREATE INDEX "CollectionItem_collectionId_order_idx" ON "CollectionItem"("collectionId", "order");

-- CreateIndex
CREATE UNIQUE INDEX "CollectionItem_collectionId_galleryItemId_key" ON "CollectionItem"("collectionId", "galleryItemId");

-- AddForeignKey
ALTER TABLE "VoteRound" ADD CONSTRAINT "VoteRound_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Guest"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VoteRound" ADD CONSTRAINT "VoteRound_modelVersionId_fkey" FOREIGN KEY ("modelVersionId") REFERENCES "ModelVersion"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Candidate" ADD CONSTRAINT "Candidate_roundId_fkey" FOREIGN KEY ("roundId") REFERENCES "VoteRound"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Vote" ADD CONSTRAINT "Vote_candidateId_fkey" FOREIGN KEY ("candidateId") REFERENCES "Candidate"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Vote" ADD CONSTRAINT "Vote_guestId_fkey" FOREIGN KEY ("guestId") REFERENCES "Guest"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "GalleryItem" ADD CONSTRAINT "GalleryItem_candidateId_fkey" FOREIGN KEY ("candidateId") REFERENCES "Candidate"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "GalleryItem" ADD CONSTRAINT "GalleryItem_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "Guest"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "GalleryItem" ADD CONSTRAINT "GalleryItem_modelVersionId_fkey" FOREIGN KEY ("modelVersionId") REFERENCES "ModelVersion"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Collection" ADD CONSTRAINT "Collection_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "Guest"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CollectionItem" ADD CONSTRAINT "CollectionItem_collectionId_fkey" FOREIGN KEY ("collectionId") REFERENCES "Collection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CollectionItem" ADD CONSTRAINT "CollectionItem_galleryItemId_fkey" FOREIGN KEY ("galleryItemId") REFERENCES "GalleryItem"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Written by hand (Prisma has no syntax for CHECK constraints; the diff ignores them).
ALTER TABLE "Vote" ADD CONSTRAINT "Vote_value_check" CHECK ("value" IN (-1, 1));
ALTER TABLE "Candidate" ADD CONSTRAINT "Candidate_image_size_check" CHECK (octet_length("image") <= 16384);
ALTER TABLE "GalleryItem" ADD CONSTRAINT "GalleryItem_image_size_check" CHECK (octet_length("image") <= 16384);
ALTER TABLE "Collection" ADD CONSTRAINT "Collection_title_length_check" CHECK (char_length("title") BETWEEN 1 AND 80);
