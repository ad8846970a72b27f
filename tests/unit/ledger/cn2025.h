/* SPDX-License-Identifier: MIT */
#pragma once

/* A unit-test fixture: the 2025 holiday calendar, built by hand from the
 * State Council's notice (国务院办公厅关于2025年部分节假日安排的通知,
 * 国办发明电〔2024〕12号), not from conf/, which is under test elsewhere.
 * Include after cmocka.h. */

#include "ledger/date.h"
#include "ledger/workdays.h"

#define D(y, m, d) date_from_ymd(y, m, d)

/* The notice's table: each holiday's days off, then its make-up working days. */
static struct workdays *cn2025(void) {
        struct workdays *w = workdays_new();

        assert_non_null(w);
        assert_int_equal(workdays_add_off(w, D(2025, 1, 1), D(2025, 1, 1), "元旦"), 0);
        assert_int_equal(workdays_add_off(w, D(2025, 1, 28), D(2025, 2, 4), "春节"), 0);
        assert_int_equal(workdays_add_work(w, D(2025, 1, 26), "春节"), 0);
        assert_int_equal(workdays_add_work(w, D(2025, 2, 8), "春节"), 0);
        assert_int_equal(workdays_add_off(w, D(2025, 4, 4), D(2025, 4, 6), "清明节"), 0);
        assert_int_equal(workdays_add_off(w, D(2025, 5, 1), D(2025, 5, 5), "劳动节"), 0);
        assert_int_equal(workdays_add_work(w, D(2025, 4, 27), "劳动节"), 0);
        assert_int_equal(workdays_add_off(w, D(2025, 5, 31), D(2025, 6, 2), "端午节"), 0);
        assert_int_equal(workdays_add_off(w, D(2025, 10, 1), D(2025, 10, 8), "国庆节、中秋节"), 0);
        assert_int_equal(workdays_add_work(w, D(2025, 9, 28), "国庆节、中秋节"), 0);
        assert_int_equal(workdays_add_work(w, D(2025, 10, 11), "国庆节、中秋节"), 0);
        assert_int_equal(workdays_cover_year(w, 2025), 0);
        return w;
}
