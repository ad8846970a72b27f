/* SPDX-License-Identifier: MIT */
/* gzip made of segments (feeds/feed-gzip.h): GNU gzip, whose inflate is
 * its own and not zlib's, reads back exactly the bytes; segments compress
 * as well as one stream; a segment copied deflated from an earlier gzip
 * gives the very bytes deflating it again gives; empty segments leave no
 * trace. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "feeds/feed-gzip.h"

/* What `gzip -dc` makes of data. */
static char *gunzip(const char *data, size_t size, size_t *out_size) {
        char in[] = "/tmp/ledgerd-test-gzip-XXXXXX", cmd[128], *out = NULL;
        int fd = mkstemp(in);
        FILE *p, *f;

        assert_true(fd >= 0);
        assert_int_equal(write(fd, data, size), (ssize_t) size);
        close(fd);
        snprintf(cmd, sizeof cmd, "gzip -dc < %s", in);
        p = popen(cmd, "r");
        assert_non_null(p);
        f = open_memstream(&out, out_size);
        assert_non_null(f);
        for (int c; (c = fgetc(p)) != EOF;)
                fputc(c, f);
        assert_int_equal(pclose(p), 0);
        assert_int_equal(fclose(f), 0);
        unlink(in);
        return out;
}

/* Text a calendar might hold: repetitive, some of it long. */
static char *text(size_t size, unsigned seed) {
        char *t = malloc(size + 1);

        assert_non_null(t);
        for (size_t i = 0; i < size; i++)
                t[i] = (i % 77 == 76) ? '\n' : (char) ('A' + (i * 7 + seed + i / 300) % 26);
        t[size] = '\0';
        return t;
}

static void assert_reads_back(const char *gz, size_t gz_size, const char *const *parts, size_t n) {
        size_t size = 0, want = 0;
        char *got = gunzip(gz, gz_size, &size);

        for (size_t i = 0; i < n; i++)
                want += strlen(parts[i]);
        assert_int_equal(size, want);
        for (size_t i = 0, at = 0; i < n; at += strlen(parts[i]), i++)
                assert_memory_equal(got + at, parts[i], strlen(parts[i]));
        free(got);
}

static void test_segments_read_back(void **state) {
        char *big = text(300000, 1), *mid = text(70000, 2);
        const char *parts[] = { "BEGIN:VCALENDAR\r\n", big, "", mid, "END:VCALENDAR\r\n" };
        struct gzip_segment segs[5];
        char *gz = NULL;
        size_t gz_size = 0;

        (void) state;
        for (size_t i = 0; i < 5; i++)
                segs[i] = (struct gzip_segment) { .data = parts[i], .size = strlen(parts[i]) };
        assert_int_equal(gzip_segments(segs, 5, 1, &gz, &gz_size), 0);
        assert_true(gz_size < 100000);
        assert_reads_back(gz, gz_size, parts, 5);
        assert_int_equal(segs[2].packed_size, 0); /* empty: nothing written */
        free(gz);
        free(big);
        free(mid);
}

/* Each segment refers back into the 16 KB before it: cut in pieces of 20
 * KB, text compresses as in one stream, give or take a block's header for
 * each (on their own, the pieces take twice the bytes). */
static void test_segments_small_as_whole(void **state) {
        char *t = text(400000, 7);
        struct gzip_segment whole = { .data = t, .size = 400000 }, cut[20];
        char *gz_whole = NULL, *gz_cut = NULL;
        size_t n_whole = 0, n_cut = 0;
        const char *parts[] = { t };

        (void) state;
        for (size_t i = 0; i < 20; i++)
                cut[i] = (struct gzip_segment) { .data = t + 20000 * i, .size = 20000 };
        assert_int_equal(gzip_segments(&whole, 1, 1, &gz_whole, &n_whole), 0);
        assert_int_equal(gzip_segments(cut, 20, 1, &gz_cut, &n_cut), 0);
        assert_true(n_cut <= n_whole + 20 * 100); /* a block's Huffman tables, each */
        assert_reads_back(gz_cut, n_cut, parts, 1);
        free(gz_whole);
        free(gz_cut);
        free(t);
}

/* The second render changed the middle segment only: the one before it is
 * copied from the first gzip, the one after it deflated again (what it may
 * refer back to changed), and the result is what deflating all gives. */
static void test_copied_segments_same_bytes(void **state) {
        char *a = text(200000, 3), *b = text(150000, 4), *b2 = text(150000, 5), *c = text(90000, 6);
        const char *first[] = { "head\r\n", a, b, c, "tail\r\n" };
        const char *second[] = { "head\r\n", a, b2, c, "tail\r\n" };
        struct gzip_segment one[5], two[5], whole[5];
        char *gz1 = NULL, *gz2 = NULL, *gz3 = NULL;
        size_t n1 = 0, n2 = 0, n3 = 0;

        (void) state;
        for (size_t i = 0; i < 5; i++) {
                one[i] = (struct gzip_segment) { .data = first[i], .size = strlen(first[i]) };
                two[i] = (struct gzip_segment) { .data = second[i], .size = strlen(second[i]) };
                whole[i] = two[i];
        }
        assert_int_equal(gzip_segments(one, 5, 1, &gz1, &n1), 0);
        two[1].packed = gz1 + one[1].packed_start; /* a, as it was */
        two[1].packed_size = one[1].packed_size;
        two[1].crc = one[1].crc;
        assert_int_equal(gzip_segments(two, 5, 1, &gz2, &n2), 0);
        assert_int_equal(gzip_segments(whole, 5, 1, &gz3, &n3), 0);
        assert_int_equal(n2, n3);
        assert_memory_equal(gz2, gz3, n3);
        assert_reads_back(gz2, n2, second, 5);
        for (size_t i = 0; i < 5; i++) { /* where each went, as deflated anew */
                assert_int_equal(two[i].packed_start, whole[i].packed_start);
                assert_int_equal(two[i].packed_size, whole[i].packed_size);
                assert_int_equal(two[i].crc, whole[i].crc);
        }
        free(gz1);
        free(gz2);
        free(gz3);
        free(a);
        free(b);
        free(b2);
        free(c);
}

static void test_nothing_at_all(void **state) {
        const char *parts[] = { "" };
        struct gzip_segment seg = { .data = "", .size = 0 };
        char *gz = NULL;
        size_t n = 0;

        (void) state;
        assert_int_equal(gzip_segments(&seg, 1, 6, &gz, &n), 0);
        assert_reads_back(gz, n, parts, 1);
        free(gz);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_segments_read_back),
                cmocka_unit_test(test_segments_small_as_whole),
                cmocka_unit_test(test_copied_segments_same_bytes),
                cmocka_unit_test(test_nothing_at_all),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
