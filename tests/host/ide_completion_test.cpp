// How IDE transfers end: a DMA transfer against its PRD table, PIO blocks against the sectors
// asked, ATAPI data blocks against the length asked. Each judgment is checked for a short
// transfer, an exact one, nothing moved, and one that runs long.
#include <gtest/gtest.h>

#include "ata/ata_layout.h"
#include "ata/ide_completion.h"

using ata::ide::DmaState;
using ata::ide::EngineStatus;
using ata::ide::PacketStep;
using ata::ide::PioStep;
using ata::ide::Settled;

namespace {

constexpr uint8_t ready = ata::status::ready;
constexpr uint8_t busy = ata::status::busy;
constexpr uint8_t drq = ata::status::data_request;
constexpr uint8_t err = ata::status::error;
constexpr uint8_t fault = ata::status::device_fault;

EngineStatus engine(bool active, bool interrupt, bool error = false)
{
    EngineStatus e;
    e.active = active;
    e.interrupt = interrupt;
    e.error = error;
    return e;
}

} // namespace

TEST(IdeDmaJudgment, DeviceDoneWithEngineIdleIsComplete)
{
    EXPECT_EQ(ata::ide::judge_dma(ready, engine(false, true), Settled::No), DmaState::Complete);
    // With the device's interrupt disabled the engine latches none.
    EXPECT_EQ(ata::ide::judge_dma(ready, engine(false, false), Settled::No), DmaState::Complete);
}

TEST(IdeDmaJudgment, InterruptWithEngineActiveIsShort)
{
    // SFF-8038i: the device ended the transfer while the table still describes more bytes.
    EXPECT_EQ(ata::ide::judge_dma(ready, engine(true, true), Settled::No), DmaState::Short);
    EXPECT_EQ(ata::ide::judge_dma(ready, engine(true, true), Settled::Yes), DmaState::Short);
}

TEST(IdeDmaJudgment, EngineStillActiveAfterTheDeviceIsDoneIsShortOnALaterLook)
{
    // The first look that sees the device done may catch a real engine emptying its FIFO.
    EXPECT_EQ(ata::ide::judge_dma(ready, engine(true, false), Settled::No), DmaState::Running);
    EXPECT_EQ(ata::ide::judge_dma(ready, engine(true, false), Settled::Yes), DmaState::Short);
}

TEST(IdeDmaJudgment, NothingMovedAndAnErrorIsTheDevicesFailure)
{
    // A device that refuses the command moves nothing: the engine is still active.
    EXPECT_EQ(ata::ide::judge_dma(ready | err, engine(true, true), Settled::No), DmaState::DeviceFailed);
    EXPECT_EQ(ata::ide::judge_dma(ready | fault, engine(true, false), Settled::No), DmaState::DeviceFailed);
}

TEST(IdeDmaJudgment, DeviceWithMoreDataThanTheTableIsTooLong)
{
    EXPECT_EQ(ata::ide::judge_dma(ready | drq, engine(false, false), Settled::No), DmaState::TableExhausted);
}

TEST(IdeDmaJudgment, TransferUnderWayIsRunning)
{
    EXPECT_EQ(ata::ide::judge_dma(busy, engine(true, false), Settled::No), DmaState::Running);
    EXPECT_EQ(ata::ide::judge_dma(ready | drq, engine(true, false), Settled::No), DmaState::Running);
    // A busy device's other bits mean nothing: ERR under BSY is not a failure yet, nor an idle engine.
    EXPECT_EQ(ata::ide::judge_dma(busy | err, engine(true, false), Settled::No), DmaState::Running);
    EXPECT_EQ(ata::ide::judge_dma(busy, engine(false, false), Settled::No), DmaState::Running);
}

TEST(IdeDmaJudgment, InterruptFromADeviceNotDoneIsNotDone)
{
    EXPECT_EQ(ata::ide::judge_dma(busy, engine(false, true), Settled::No), DmaState::NotDone);
    EXPECT_EQ(ata::ide::judge_dma(ready | drq, engine(false, true), Settled::No), DmaState::NotDone);
}

TEST(IdeDmaJudgment, EngineErrorWins)
{
    EXPECT_EQ(ata::ide::judge_dma(ready, engine(false, true, true), Settled::No), DmaState::EngineFailed);
    EXPECT_EQ(ata::ide::judge_dma(busy, engine(true, false, true), Settled::No), DmaState::EngineFailed);
}

TEST(IdeDmaLength, MustMatchTheCommand)
{
    EXPECT_FALSE(ata::ide::check_dma_length(4096, 8, 512).is_error());
    EXPECT_TRUE(ata::ide::check_dma_length(0, 0, 512).is_error());
    EXPECT_TRUE(ata::ide::check_dma_length(3584, 8, 512).is_error()); // short of the command
    EXPECT_TRUE(ata::ide::check_dma_length(4608, 8, 512).is_error()); // past it
    EXPECT_TRUE(ata::ide::check_dma_length(511, 1, 511).is_error()); // odd
}

namespace {

ata::ide::PioProgress pio(uint32_t sectors, uint32_t sector_size, uint32_t per_block)
{
    auto p = ata::ide::PioProgress::plan(sectors, sector_size, per_block);
    EXPECT_FALSE(p.is_error());
    return p.release_value();
}

} // namespace

TEST(IdePioProgress, ExactTransferMovesEveryBlockThenCompletes)
{
    auto p = pio(5, 512, 2);
    EXPECT_EQ(p.words_asked(), 5u * 256);
    uint32_t blocks = 0;
    while (!p.finished()) {
        ASSERT_EQ(p.judge(ready | drq), PioStep::MoveBlock);
        EXPECT_EQ(p.next_offset(), size_t(blocks) * 1024);
        // Two sectors per block, the last block has what is left.
        EXPECT_EQ(p.next_words(), blocks < 2 ? 512u : 256u);
        p.moved(p.next_words());
        ++blocks;
    }
    EXPECT_EQ(blocks, 3u);
    EXPECT_EQ(p.words_moved(), p.words_asked());
    EXPECT_EQ(p.judge(ready), PioStep::Complete);
}

TEST(IdePioProgress, DeviceEndingBeforeTheLastBlockIsShort)
{
    auto p = pio(4, 512, 1);
    p.moved(p.next_words());
    EXPECT_EQ(p.judge(ready), PioStep::EndedEarly);
}

TEST(IdePioProgress, DeviceEndingBeforeAnyBlockIsShort)
{
    auto p = pio(1, 512, 1);
    EXPECT_EQ(p.words_moved(), 0u);
    EXPECT_EQ(p.judge(ready), PioStep::EndedEarly);
}

TEST(IdePioProgress, DeviceOfferingMoreThanAskedIsTooLong)
{
    auto p = pio(1, 512, 1);
    p.moved(p.next_words());
    EXPECT_EQ(p.judge(ready | drq), PioStep::TooLong);
}

TEST(IdePioProgress, BusyAndFailures)
{
    auto p = pio(2, 512, 1);
    EXPECT_EQ(p.judge(busy), PioStep::Wait);
    EXPECT_EQ(p.judge(busy | drq | err), PioStep::Wait);
    EXPECT_EQ(p.judge(ready | err), PioStep::Failed);
    EXPECT_EQ(p.judge(ready | drq | fault), PioStep::Failed);
}

TEST(IdePioProgress, NothingToMoveIsRefused)
{
    EXPECT_TRUE(ata::ide::PioProgress::plan(0, 512, 1).is_error());
    EXPECT_TRUE(ata::ide::PioProgress::plan(1, 0, 1).is_error());
    EXPECT_TRUE(ata::ide::PioProgress::plan(1, 511, 1).is_error());
    EXPECT_TRUE(ata::ide::PioProgress::plan(1, 512, 0).is_error());
}

TEST(IdePacketBlocks, ExactTransferInSeveralBlocks)
{
    constexpr uint32_t asked = 6 * 2048;
    constexpr uint32_t limit = 0xf800;
    EXPECT_EQ(ata::ide::judge_packet_block(asked, 0, limit, 4096), PacketStep::Take);
    EXPECT_EQ(ata::ide::judge_packet_block(asked, 4096, limit, 8192), PacketStep::Take);
    EXPECT_FALSE(ata::ide::check_packet_length(asked, asked).is_error());
}

TEST(IdePacketBlocks, FewerBytesThanAskedIsAnError)
{
    EXPECT_TRUE(ata::ide::check_packet_length(2048, 2046).is_error());
    // Nothing at all.
    EXPECT_TRUE(ata::ide::check_packet_length(2048, 0).is_error());
    // A command that asks for nothing and gets nothing.
    EXPECT_FALSE(ata::ide::check_packet_length(0, 0).is_error());
}

TEST(IdePacketBlocks, MoreBytesThanAskedIsRefusedBeforeTheyMove)
{
    EXPECT_EQ(ata::ide::judge_packet_block(8, 0, 8, 10), PacketStep::OverLimit);
    EXPECT_EQ(ata::ide::judge_packet_block(2048, 0, 0xf800, 2050), PacketStep::TooLong);
    EXPECT_EQ(ata::ide::judge_packet_block(4096, 2048, 0xf800, 2049), PacketStep::TooLong);
    EXPECT_EQ(ata::ide::judge_packet_block(0, 0, 0xf800, 2), PacketStep::TooLong);
    EXPECT_TRUE(ata::ide::check_packet_length(8, 10).is_error());
}

TEST(IdePacketBlocks, EmptyBlockIsRefused)
{
    EXPECT_EQ(ata::ide::judge_packet_block(2048, 0, 0xf800, 0), PacketStep::Empty);
}

TEST(IdePacketBlocks, OddLastBlockEndsAnOddLength)
{
    EXPECT_EQ(ata::ide::judge_packet_block(7, 0, 8, 7), PacketStep::Take);
    EXPECT_FALSE(ata::ide::check_packet_length(7, 7).is_error());
}
