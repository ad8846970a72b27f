/* SPDX-License-Identifier: MIT */
/* Writes one reminder e-mail built by core/notify/mail.c to stdout, for
 * test_mail_format.py to read with Python's email parser. Usage:
 * mail-driver KEY. Compiled by that test against libledger.a. */
#include <stdio.h>
#include <stdlib.h>

#include "notify/mail.h"

static const char calendar[] =
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//ledgerd//ledgerd//ZH\r\nMETHOD:PUBLISH\r\n"
        "BEGIN:VEVENT\r\nUID:15.1@yuli-2025.ledgerd\r\nDTSTAMP:20250324T010000Z\r\n"
        "DTSTART;VALUE=DATE:20250331\r\nDTEND;VALUE=DATE:20250401\r\n"
        "SUMMARY:部门整体支出绩效自评（单位自评）\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

int main(int argc, char **argv) {
        static const struct mail_address to[] = {
                { "县财政局预算绩效管理股（部门整体支出绩效自评联系人）", "czj@example.org" },
                { "Audit, Office", "sjj@example.org" },
        };
        struct mail_input in = {
                .date = 1742778000,
                .utc_offset = 8 * 3600,
                .from = { "台账提醒", "ledgerd@finance.example.gov.cn" },
                .to = to,
                .n_to = 2,
                .subject =
                        "【台账提醒】部门整体支出绩效自评（单位自评）将于2025年3月31日到期（还有7天）",
                .body = "工作事项：部门整体支出绩效自评（单位自评）\n责任单位：县财政局\n",
                .key = argc > 1 ? argv[1] : "key",
                .calendar = calendar,
                .calendar_name = "15.1.ics",
        };
        char *m;
        size_t n;

        if (mail_build(&in, &m, &n) < 0 || fwrite(m, 1, n, stdout) != n)
                return 1;
        free(m);
        return 0;
}
