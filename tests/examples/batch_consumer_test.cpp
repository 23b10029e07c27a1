// examples/batch_consumer (seed 001, "Consume queue in batches"): every item the producer put
// is processed exactly once, in batches of at most BATCH_SIZE; a batch is cut short when
// WAIT_TIMEOUT passes; queue.join() returns only after every batch's done callback ran.

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "example_runner.hpp"

namespace aio_examples_test {
namespace {

struct Batches {
    std::map<int, std::vector<int>> by_number;  // batch number -> item ids, as printed
    std::vector<int> all_ids;                   // every id printed, duplicates included
};

// Parses "batch <k> size <n>: <ids...>" lines; checks the summary comes last and that each
// line's size matches its ids.
Batches parse_run(const ExampleRun& r, int items) {
    Batches b;
    EXPECT_FALSE(r.timed_out);
    EXPECT_EQ(r.exit_code, 0);
    if (r.lines.empty()) {
        ADD_FAILURE() << "no output";
        return b;
    }
    EXPECT_EQ(r.lines.back(), "produced " + std::to_string(items) + " items, all processed");
    for (std::size_t i = 0; i + 1 < r.lines.size(); ++i) {
        std::istringstream in(r.lines[i]);
        std::string word, size_word;
        int number = 0;
        std::size_t size = 0;
        char colon = 0;
        in >> word >> number >> size_word >> size >> colon;
        EXPECT_EQ(word, "batch") << r.lines[i];
        EXPECT_EQ(size_word, "size") << r.lines[i];
        EXPECT_EQ(colon, ':') << r.lines[i];
        EXPECT_EQ(b.by_number.count(number), 0u) << "batch " << number << " printed twice";
        std::vector<int>& ids = b.by_number[number];
        for (int id; in >> id;) ids.push_back(id);
        EXPECT_EQ(ids.size(), size) << r.lines[i];
        b.all_ids.insert(b.all_ids.end(), ids.begin(), ids.end());
    }
    return b;
}

// Every id 0 .. items-1 once, no other, no duplicate; no batch above batch_size; batches
// numbered 1 .. n.
void expect_each_item_processed_once(const Batches& b, int items, std::size_t batch_size) {
    std::multiset<int> seen(b.all_ids.begin(), b.all_ids.end());
    std::multiset<int> produced;
    for (int i = 0; i < items; ++i) produced.insert(i);
    EXPECT_EQ(seen, produced);
    int expected_number = 1;
    for (const auto& [number, ids] : b.by_number) {
        EXPECT_EQ(number, expected_number++);
        EXPECT_GE(ids.size(), 1u);
        EXPECT_LE(ids.size(), batch_size) << "batch " << number;
    }
}

TEST(BatchConsumerExample, ItemsThatAreAllThereFillWholeBatchesAndTheTimeoutSendsTheRest) {
    // All ten items are queued before the consumer runs: it takes 4, 4, then waits
    // WAIT_TIMEOUT for two more that never come and sends the 2 it has.
    ExampleRun r = run_example("batch_consumer", {"--items", "10", "--batch-size", "4",
                                                  "--wait-timeout-ms", "30", "--work-ms", "1"});
    Batches b = parse_run(r, 10);
    expect_each_item_processed_once(b, 10, 4);
    EXPECT_EQ(b.by_number,
              (std::map<int, std::vector<int>>{{1, {0, 1, 2, 3}}, {2, {4, 5, 6, 7}}, {3, {8, 9}}}));
}

TEST(BatchConsumerExample, ASlowProducerGetsPartialBatchesAndEveryItemOnce) {
    // An item every 4 ms, a batch timeout of 10 ms: batches end by the timeout as well as by
    // the size, in an order that depends on timing; the invariants do not.
    ExampleRun r = run_example("batch_consumer",
                               {"--items", "40", "--batch-size", "5", "--wait-timeout-ms", "10",
                                "--produce-every-ms", "4", "--work-ms", "3", "--threads", "3"});
    Batches b = parse_run(r, 40);
    expect_each_item_processed_once(b, 40, 5);
}

TEST(BatchConsumerExample, ABoundedQueueSlowsTheProducerAndLosesNothing) {
    ExampleRun r =
        run_example("batch_consumer", {"--items", "100", "--batch-size", "8", "--wait-timeout-ms",
                                       "5", "--maxsize", "3", "--work-ms", "0", "--threads", "4"});
    Batches b = parse_run(r, 100);
    expect_each_item_processed_once(b, 100, 8);
}

TEST(BatchConsumerExample, ManyItemsOnManyThreadsAreEachProcessedOnce) {
    ExampleRun r =
        run_example("batch_consumer", {"--items", "2000", "--batch-size", "16", "--wait-timeout-ms",
                                       "20", "--work-ms", "0", "--threads", "4"});
    Batches b = parse_run(r, 2000);
    expect_each_item_processed_once(b, 2000, 16);
    EXPECT_GE(b.by_number.size(), 2000u / 16);
}

TEST(BatchConsumerExample, NoItemsMeansNoBatch) {
    ExampleRun r = run_example("batch_consumer", {"--items", "0"});
    Batches b = parse_run(r, 0);
    EXPECT_TRUE(b.by_number.empty());
}

}  // namespace
}  // namespace aio_examples_test
