#pragma once
// gtest's ASSERT_* `return`, which a coroutine cannot: these record the failure and `co_return`
// from a Coro<void> test body instead.

#include <gtest/gtest.h>

#define CO_ASSERT_TRUE(cond)                             \
    do {                                                 \
        if (!(cond)) {                                   \
            ADD_FAILURE() << "Assertion failed: " #cond; \
            co_return;                                   \
        }                                                \
    } while (0)

#define CO_ASSERT_EQ(a, b)            \
    do {                              \
        EXPECT_EQ(a, b);              \
        if (!((a) == (b))) co_return; \
    } while (0)
