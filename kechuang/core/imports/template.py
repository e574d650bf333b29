"""The downloadable import template of a schema: the header row, Excel data validation, comments, instructions."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from kechuang.core.imports.safety import MB, import_max_bytes
from kechuang.core.imports.schema import Column, FieldParser, ImportSchema

INSTRUCTIONS_SHEET = "填写说明"
CHOICES_SHEET = "选项"
LAST_ROW = 1_048_575  # validation covers the whole column below the header
POLICY = (
    "表头请勿修改；列的顺序可以调整，选填列可以删除。",
    "数据从第 2 行开始填写，每行一条记录；同一记录（如同一统一社会信用代码）只能出现一次。",
    "只接受数值，不接受公式：含有公式的单元格会被判为错误。请先“复制 → 选择性粘贴 → 数值”后再导入。",
    "代码类的列（统一社会信用代码、区划代码等）已设为文本格式，请勿改为数字格式，以免丢失前导零或变成科学计数法。",
    "请勿合并单元格，不要在表头上方插入标题行。",
    "只接受 .xlsx 文件，不超过 {max_mb} MB；含宏的文件（.xlsm）和加密的文件不能导入。",
    "导入是“全部成功或全部不写入”：只要有一行出错，就不会写入任何数据，系统会返回标注了“错误说明”的文件，改正后可直接重新上传。",
    "重复导入同一文件不会产生重复数据：已有记录按关键列更新，内容相同的记录保持不变。",
)


def template_workbook(schema: ImportSchema) -> bytes:
    """Return the .xlsx template of `schema` (sheet 1: the header row; sheet 2: 填写说明)."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_numbers": False, "strings_to_urls": False})
    workbook.set_properties({"title": f"{schema.label}导入模板"})
    sheet = workbook.add_worksheet(schema.label[:31])
    formats = {
        True: workbook.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1, "font_color": "#B42318"}),
        False: workbook.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1}),
    }
    text_cell = workbook.add_format({"num_format": "@"})
    choices = _ChoiceSheet(workbook)
    for index, column in enumerate(schema.columns):
        parser = column.parser if isinstance(column.parser, FieldParser) else None
        sheet.write_string(0, index, column.header, formats[column.required])
        sheet.set_column(index, index, max(14, len(column.header) * 2 + 4),
                         text_cell if parser is not None and parser.text_cell else None)
        sheet.write_comment(0, index, _comment(column), {"x_scale": 2, "y_scale": 1.5})
        if parser is not None and parser.validation:
            sheet.data_validation(1, index, LAST_ROW, index, choices.options(column, parser))
    sheet.freeze_panes(1, 0)
    _instructions(workbook, schema)
    workbook.close()
    return buffer.getvalue()


def format_of(column: Column) -> str:
    """Return how a column is to be filled, in words."""
    help_text = getattr(column.parser, "format_help", "")
    return str(help_text) if help_text else "文本"


def _comment(column: Column) -> str:
    parts = ["必填" if column.required else "选填", format_of(column)]
    if column.help:
        parts.append(column.help)
    return "\n".join(parts)


class _ChoiceSheet:
    """Excel limits a list validation typed in place to 255 characters; longer lists go to a hidden sheet."""

    def __init__(self, workbook: Any) -> None:
        self.workbook = workbook
        self.sheet: Any = None
        self.next_column = 0

    def options(self, column: Column, parser: FieldParser) -> dict[str, Any]:
        options = {k: float(v) if isinstance(v, Decimal) else v for k, v in (parser.validation or {}).items()}
        options.update({"input_title": column.header[:32], "input_message": _comment(column)[:255],
                        "error_title": "输入有误", "error_message": format_of(column)[:255]})
        if options.get("validate") != "list":
            return options
        labels = [str(label) for label in options["source"]]
        if len(",".join(labels)) <= 250:
            options["source"] = labels
            return options
        if self.sheet is None:
            self.sheet = self.workbook.add_worksheet(CHOICES_SHEET)
            self.sheet.hide()
        col = self.next_column
        self.next_column += 1
        for row, label in enumerate(labels):
            self.sheet.write_string(row, col, label)
        letter = xl_col_to_name(col)
        options["source"] = f"={CHOICES_SHEET}!${letter}$1:${letter}${len(labels)}"
        return options


def _instructions(workbook: Any, schema: ImportSchema) -> None:
    sheet = workbook.add_worksheet(INSTRUCTIONS_SHEET)
    bold = workbook.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    title = workbook.add_format({"bold": True, "font_size": 14})
    sheet.write_string(0, 0, f"{schema.label}导入模板 · 填写说明", title)
    sheet.write_row(2, 0, ["列名", "是否必填", "填写格式", "说明"], bold)
    for row, column in enumerate(schema.columns, start=3):
        names = column.header + (f"（也可写作：{'、'.join(column.aliases)}）" if column.aliases else "")
        sheet.write_row(row, 0, [names, "必填" if column.required else "选填", format_of(column), column.help],
                        wrap)
    row = len(schema.columns) + 4
    sheet.write_string(row, 0, "注意事项", bold)
    for number, rule in enumerate((r.format(max_mb=import_max_bytes() // MB) for r in POLICY), start=1):
        sheet.write_string(row + number, 0, f"{number}. {rule}")
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 1, 10)
    sheet.set_column(2, 2, 50)
    sheet.set_column(3, 3, 50)
