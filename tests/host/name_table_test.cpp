// base::NameTable against a std::map under random inserts and removals: every name stays
// findable through the deletions' back-shifts, and a full table refuses more.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "base/name_table.h"

namespace {

TEST(NameTable, AgreesWithAMapUnderChurn)
{
    auto* table = new base::NameTable<int, 64>;
    std::map<uint32_t, int> model;
    std::mt19937 random(5);
    for (int step = 0; step < 100000; ++step) {
        // Few distinct names, so that runs collide and wrap around the end.
        uint32_t name = 1 + random() % 300;
        if (random() % 2) {
            bool fits = !model.count(name) && model.size() < 64;
            EXPECT_EQ(table->insert(name, step), fits);
            if (fits)
                model[name] = step;
        } else {
            table->remove(name);
            model.erase(name);
        }
        ASSERT_EQ(table->size(), model.size());
        if (step % 97 != 0)
            continue;
        for (uint32_t n = 1; n <= 300; ++n) {
            int* v = table->find(n);
            ASSERT_EQ(v != nullptr, model.count(n) == 1) << "name " << n << " at step " << step;
            if (v) {
                ASSERT_EQ(*v, model[n]);
            }
        }
    }
    delete table;
}

TEST(NameTable, RefusesZeroDuplicatesAndOverflow)
{
    base::NameTable<int, 4> table;
    EXPECT_FALSE(table.insert(0, 1));
    EXPECT_TRUE(table.insert(7, 1));
    EXPECT_FALSE(table.insert(7, 2));
    EXPECT_EQ(*table.find(7), 1);
    EXPECT_TRUE(table.insert(8, 1));
    EXPECT_TRUE(table.insert(9, 1));
    EXPECT_TRUE(table.insert(10, 1));
    EXPECT_FALSE(table.insert(11, 1));
    table.remove(8);
    EXPECT_TRUE(table.insert(11, 1));
    EXPECT_EQ(table.find(8), nullptr);
}

} // namespace
