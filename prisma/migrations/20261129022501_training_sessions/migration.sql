-- CreateTable
CREATE TABLE "TrainingSessionRecord" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "ModelKind" NOT NULL,
    "state" TEXT NOT NULL,
    "message" TEXT,
    "config" JSONB NOT NULL,
    "hostNickname" TEXT NOT NULL,
    "history" JSONB NOT NULL,
    "probeImages" JSONB NOT NULL,
    "modelVersionId" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "TrainingSessionRecord_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "TrainingSessionRecord_createdAt_idx" ON "TrainingSessionRecord"("createdAt");

-- AddForeignKey
ALTER TABLE "TrainingSessionRecord" ADD CONSTRAINT "TrainingSessionRecord_modelVersionId_fkey" FOREIGN KEY ("modelVersionId") REFERENCES "ModelVersion"("id") ON DELETE SET NULL ON UPDATE CASCADE;
