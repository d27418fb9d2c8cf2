-- CreateEnum
CREATE TYPE "ModelKind" AS ENUM ('cnn', 'vae');

-- CreateTable
CREATE TABLE "ModelVersion" (
    "id" SERIAL NOT NULL,
    "kind" "ModelKind" NOT NULL,
    "name" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "params" INTEGER NOT NULL,
    "trainingLog" JSONB NOT NULL,
    "trainingLogHash" TEXT NOT NULL,
    "metrics" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ModelVersion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Assessment" (
    "id" SERIAL NOT NULL,
    "modelVersionId" INTEGER NOT NULL,
    "source" TEXT NOT NULL,
    "metrics" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Assessment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Guest" (
    "id" TEXT NOT NULL,
    "nickname" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Guest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Drawing" (
    "id" SERIAL NOT NULL,
    "authorId" TEXT,
    "strokes" JSONB NOT NULL,
    "image" BYTEA NOT NULL,
    "label" INTEGER NOT NULL,
    "guess" INTEGER NOT NULL,
    "modelVersionId" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Drawing_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ModelVersion_kind_createdAt_idx" ON "ModelVersion"("kind", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "ModelVersion_path_trainingLogHash_key" ON "ModelVersion"("path", "trainingLogHash");

-- CreateIndex
CREATE INDEX "Assessment_modelVersionId_createdAt_idx" ON "Assessment"("modelVersionId", "createdAt");

-- CreateIndex
CREATE INDEX "Assessment_source_createdAt_idx" ON "Assessment"("source", "createdAt");

-- CreateIndex
CREATE INDEX "Drawing_createdAt_idx" ON "Drawing"("createdAt");

-- CreateIndex
CREATE INDEX "Drawing_authorId_createdAt_idx" ON "Drawing"("authorId", "createdAt");

-- CreateIndex
CREATE INDEX "Drawing_label_idx" ON "Drawing"("label");

-- CreateIndex
CREATE INDEX "Drawing_modelVersionId_idx" ON "Drawing"("modelVersionId");

-- AddForeignKey
ALTER TABLE "Assessment" ADD CONSTRAINT "Assessment_modelVersionId_fkey" FOREIGN KEY ("modelVersionId") REFERENCES "ModelVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Drawing" ADD CONSTRAINT "Drawing_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "Guest"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Drawing" ADD CONSTRAINT "Drawing_modelVersionId_fkey" FOREIGN KEY ("modelVersionId") REFERENCES "ModelVersion"("id") ON DELETE SET NULL ON UPDATE CASCADE;
