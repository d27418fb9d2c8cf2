-- AlterTable
ALTER TABLE "TrainingSessionRecord" ADD COLUMN     "hostGuestId" TEXT;

-- AlterTable
ALTER TABLE "VoteRound" ADD COLUMN     "sessionEpoch" INTEGER,
ADD COLUMN     "sessionId" TEXT;

-- AddForeignKey
ALTER TABLE "VoteRound" ADD CONSTRAINT "VoteRound_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "TrainingSessionRecord"("id") ON DELETE SET NULL ON UPDATE CASCADE;
