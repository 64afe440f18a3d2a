// base::create and base::Own: one owner, deleted once, moved not copied.
#include <gtest/gtest.h>

#include "base/own.h"

namespace {

struct Counted {
    static inline int alive = 0;
    int value;
    explicit Counted(int v)
        : value(v)
    {
        ++alive;
    }
    ~Counted() { --alive; }
};

TEST(Own, CreateBuildsAndTheOwnerDeletes)
{
    {
        auto made = base::create<Counted>(7);
        ASSERT_FALSE(made.is_error());
        base::Own<Counted> owner = made.release_value();
        EXPECT_EQ(owner->value, 7);
        EXPECT_EQ(Counted::alive, 1);
    }
    EXPECT_EQ(Counted::alive, 0);
}

TEST(Own, MovingHandsOverOwnership)
{
    base::Own<Counted> a = base::create<Counted>(1).release_value();
    base::Own<Counted> b = static_cast<base::Own<Counted>&&>(a);
    EXPECT_FALSE(a);
    EXPECT_TRUE(b);
    b = base::create<Counted>(2).release_value(); // the first is deleted here
    EXPECT_EQ(Counted::alive, 1);
    EXPECT_EQ(b->value, 2);
    b.reset();
    EXPECT_EQ(Counted::alive, 0);
}

TEST(Own, ArraysAreDefaultBuiltAndSized)
{
    auto made = base::OwnArray<int>::create(5);
    ASSERT_FALSE(made.is_error());
    base::OwnArray<int> a = made.release_value();
    EXPECT_EQ(a.size(), 5u);
    a[4] = 3;
    EXPECT_EQ(a.data()[4], 3);
}

} // namespace
