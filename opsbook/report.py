"""What the command line prints about a plan, a closed day and the analyses (text only).

Pure formatting of the results the macros return, so the CLI stays a thin shell
and the demo shows every answer the workbook gives.
"""

from __future__ import annotations

import unicodedata

import pandas as pd


def plan_text(plan, head: int = 5) -> str:
    """The hourly counts and the first rows, as the operator reads them."""
    lines = ["", "每小时重发数 / slots per hour:"]
    for row in plan.hours.itertuples():
        lines.append(
            f"  {row.label:<13} 权重 {row.weight:6.1%}  {'█' * int(row.slots):<20} {int(row.slots)}"
        )
    lines += ["", f"前 {head} 条 / first {head}:"]
    for row in plan.slots.head(head).itertuples():
        lines.append(
            f"  {row.time:%H:%M}  {row.product_id}  P{row.priority}  {row.category or ''}  {str(row.title or '')[:24]}"
        )
    return "\n".join(lines)


def day_text(result) -> str:
    """The 日报 row as the operator reads it."""
    s = result.summary
    rate = "—" if s["转化率"] is None else f"{s['转化率']:.0%}"
    lines = [
        "",
        f"日报 {result.day} / daily summary:",
        f"  咨询 {s['咨询数']}，成交 {s['成交数']}（转化率 {rate}），成交金额 {s['成交金额']:,.0f}",
        f"  访客 {s['访客数'] or 0}，高峰 {s['高峰小时'] if s['高峰小时'] is not None else '—'} 点；新关键词 {s['新关键词']}",
        f"  任务 {s['任务完成']}/{s['任务总数']}，重发 {s['重发完成数']}/{s['重发计划数']}；明天的任务已加 {result.tasks_added} 条",
    ]
    reasons = [
        f"{s[f'未成交原因{i}']}({s[f'次数{i}']})"
        for i in range(1, 4)
        if s[f"未成交原因{i}"]
    ]
    if reasons:
        lines.append("  未成交原因 / top lost reasons: " + "、".join(reasons))
    return "\n".join(lines)


def left_out_text(plan, head: int = 3) -> str:
    """Products 1688's rules kept out of the day, with why and when they could go."""
    left = plan.left_out
    if left.empty:
        return "\n未排入 / left out: 0（1688 规则都满足 / every product fits 1688's rules）"
    lines = ["", f"未排入 / left out by 1688's rules: {len(left)}"]
    for row in left.head(head).itertuples():
        earliest = "" if pd.isna(row.earliest) else f"，最早 {row.earliest:%m-%d %H:%M}"
        lines.append(f"  {row.product_id}  {row.reason_text}{earliest}")
    return "\n".join(lines)


def analysis_text(day_result, head: int = 3) -> str:
    """The day's answers: campaigns due, suggested windows, wording, keywords."""
    a = day_result.analysis
    due = "、".join(day_result.campaigns_due) or "无 / none"
    lines = ["", f"临近截止的活动 / campaigns due: {due}"]
    if a is None:
        return "\n".join(lines)
    lines.append(f"建议时段 / suggested windows ({a.share:.0%} 的访客): {a.suggested}")
    scored = a.wording[
        a.wording["dimension"].eq("话术") & a.wording["conversion"].notna()
    ]
    if len(scored):
        lines.append("话术转化率 / conversion by wording (95% Wilson):")
        for row in scored.head(head).itertuples():
            lines.append(
                f"  {row.name}：{row.deals}/{row.inquiries} = {row.conversion:.0%}"
                f"（{row.conversion_low:.0%}~{row.conversion_high:.0%}）"
            )
    if len(a.top):
        first = a.top.head(5)
        top = "、".join(
            f"{k}({n})" for k, n in zip(first["keyword"], first["titles"], strict=True)
        )
        lines.append(
            f"关键词得分前 5（含该词的标题数）/ top keywords (titles with it): {top}"
        )
        bare = int((a.coverage["covered"] == 0).sum())
        lines.append(
            f"  {bare}/{len(a.coverage)} 个商品标题不含任何前 {len(a.top)} 关键词（见「分析」）"
            f" / titles with none of the top {len(a.top)}"
        )
    return "\n".join(lines)


def _width(text: str) -> int:
    """Columns a terminal gives ``text``: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell(value, fmt: str = "") -> str:
    if value is None or value == "":
        return "—"
    return format(value, fmt) if fmt else str(value)


def batch_table(rows: list[dict]) -> str:
    """The batch summary as a text table, one line per shop (the 问题 column: its first line)."""
    columns = [
        ("店铺", ""),
        ("结果", ""),
        ("计划数", ""),
        ("未排入", ""),
        ("咨询", ""),
        ("成交", ""),
        ("转化率", ".0%"),
        ("临近截止的活动", ""),
        ("问题", ""),
    ]
    cells = [[h for h, _ in columns]] + [
        [_cell(row.get(h), fmt).splitlines()[0][:60] for h, fmt in columns]
        for row in rows
    ]
    widths = [max(_width(line[j]) for line in cells) for j in range(len(columns))]
    return "\n".join(
        "  ".join(
            c + " " * (w - _width(c)) for c, w in zip(line, widths, strict=True)
        ).rstrip()
        for line in cells
    )
