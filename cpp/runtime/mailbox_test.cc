#include "runtime/mailbox.h"

#include <gtest/gtest.h>

#include <thread>

#include "runtime/test_batch.h"

namespace fluvial::runtime {
namespace {

StreamMessage Data(int64_t value) {
  StreamMessage message;
  message.batch = std::make_unique<testing::IntBatch>(std::vector<int64_t>{value});
  return message;
}

TEST(MailboxTest, DeliversInOrder) {
  Mailbox mailbox(4);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(mailbox.Push(Data(i)));
  std::vector<StreamMessage> out;
  ASSERT_TRUE(mailbox.PopAll(&out, 10));
  ASSERT_EQ(out.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(static_cast<testing::IntBatch&>(*out[i].batch).values[0], i);
  }
}

TEST(MailboxTest, FullMailboxBlocksProducerUntilConsumed) {
  Mailbox mailbox(2);
  ASSERT_TRUE(mailbox.Push(Data(0)));
  ASSERT_TRUE(mailbox.Push(Data(1)));
  std::atomic<bool> third_pushed{false};
  std::thread producer([&] {
    mailbox.Push(Data(2));
    third_pushed = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(third_pushed.load()) << "a full mailbox must apply backpressure";
  std::vector<StreamMessage> out;
  ASSERT_TRUE(mailbox.PopAll(&out, 1));
  producer.join();
  EXPECT_TRUE(third_pushed.load());
}

TEST(MailboxTest, ControlMessagesNeverBlock) {
  Mailbox mailbox(1);
  ASSERT_TRUE(mailbox.Push(Data(0)));
  StreamMessage end;
  end.kind = MessageKind::kEndOfInput;
  EXPECT_TRUE(mailbox.Push(std::move(end)));
}

TEST(MailboxTest, CloseWakesBlockedProducerAndConsumer) {
  Mailbox mailbox(1);
  ASSERT_TRUE(mailbox.Push(Data(0)));
  bool push_result = true;
  std::thread producer([&] { push_result = mailbox.Push(Data(1)); });
  Mailbox empty(1);
  bool pop_result = true;
  std::thread consumer([&] {
    std::vector<StreamMessage> out;
    pop_result = empty.PopAll(&out, 1);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  mailbox.Close();
  empty.Close();
  producer.join();
  consumer.join();
  EXPECT_FALSE(push_result);
  EXPECT_FALSE(pop_result);
}

}  // namespace
}  // namespace fluvial::runtime
