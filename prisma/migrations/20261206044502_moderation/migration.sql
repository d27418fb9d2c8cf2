-- CreateTable
CREATE TABLE "HiddenContent" (
    "kind" TEXT NOT NULL,
    "targetId" TEXT NOT NULL,
    "hiddenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "HiddenContent_pkey" PRIMARY KEY ("kind","targetId")
);
