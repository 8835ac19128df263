// The person queue: one person's operations one after another in arrival order, other persons'
// beside them, and never one task started inside another on the same thread.
#include "platform/person_queue.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

namespace yibao {
namespace {

TEST(PersonQueue, OnePersonInOrderOthersAtOnce) {
  PersonQueue q;
  std::vector<std::string> log;
  std::function<void()> finish_a1;
  q.Run("A", [&](std::function<void()> finished) {
    log.push_back("A1");
    finish_a1 = std::move(finished);
  });
  q.Run("A", [&](std::function<void()> finished) {
    log.push_back("A2");
    finished();
  });
  q.Run("B", [&](std::function<void()> finished) {
    log.push_back("B1");
    finished();
  });
  EXPECT_EQ(log, (std::vector<std::string>{"A1", "B1"}));  // A2 waits for A1
  EXPECT_EQ(q.busy_persons(), 1u);
  finish_a1();
  EXPECT_EQ(log, (std::vector<std::string>{"A1", "B1", "A2"}));
  EXPECT_EQ(q.busy_persons(), 0u);
}

// A task that lets the next one start (finished) from inside itself has it start only once it has
// returned: per-thread state it holds (a read snapshot) never reaches the next task.
TEST(PersonQueue, TheNextTaskStartsOnlyAfterTheOneThatLetItStartReturns) {
  PersonQueue q;
  std::function<void()> finish_first;
  q.Run("A", [&](std::function<void()> finished) { finish_first = std::move(finished); });
  bool inside_second = false, third_ran_inside_second = false, third_ran = false;
  q.Run("A", [&](std::function<void()> finished) {
    inside_second = true;
    finished();                                // lets the third start…
    q.Run("B", [&](std::function<void()> f) {  // …and so would a new person's task
      third_ran_inside_second |= inside_second;
      f();
    });
    inside_second = false;
  });
  q.Run("A", [&](std::function<void()> finished) {
    third_ran_inside_second |= inside_second;
    third_ran = true;
    finished();
  });
  finish_first();
  EXPECT_TRUE(third_ran);
  EXPECT_FALSE(third_ran_inside_second);
  EXPECT_EQ(q.busy_persons(), 0u);
}

// A long queue of tasks that finish at once runs one after another, not each inside the last (the
// stack stays flat).
TEST(PersonQueue, ALongQueueOfRefusalsDoesNotRecurse) {
  PersonQueue q;
  std::function<void()> finish_first;
  q.Run("A", [&](std::function<void()> finished) { finish_first = std::move(finished); });
  constexpr int kTasks = 200'000;
  int ran = 0, depth = 0, deepest = 0;
  for (int i = 0; i < kTasks; ++i)
    q.Run("A", [&](std::function<void()> finished) {
      ++ran;
      deepest = std::max(deepest, ++depth);
      finished();
      --depth;
    });
  finish_first();
  EXPECT_EQ(ran, kTasks);
  EXPECT_EQ(deepest, 1);
  EXPECT_EQ(q.busy_persons(), 0u);
}

}  // namespace
}  // namespace yibao
