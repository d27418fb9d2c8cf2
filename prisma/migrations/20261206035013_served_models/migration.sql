-- CreateTable
CREATE TABLE "ServedModel" (
    "kind" "ModelKind" NOT NULL,
    "modelVersionId" INTEGER NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ServedModel_pkey" PRIMARY KEY ("kind")
);

-- AddForeignKey
ALTER TABLE "ServedModel" ADD CONSTRAINT "ServedModel_modelVersionId_fkey" FOREIGN KEY ("modelVersionId") REFERENCES "ModelVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;
