/**
 * The migration splitter must cut files exactly where the Supabase CLI cuts them, since the
 * CLI stores the pieces in the history table. These are the CLI's own cases
 * (supabase/cli pkg/parser/state_test.go: each list joined is the input, each element one
 * statement), plus the trimming of `SplitAndTrim`.
 */
import { describe, expect, test } from "vitest";
import { splitAndTrimSql, splitSql } from "~/services/supabase/sql-statements.server";

function checkSplit(statements: string[]) {
  expect(splitSql(statements.join(""))).toEqual(statements);
}

describe("the CLI's cases", () => {
  test.each([
    ["line comment after separator", ["END;", "-- comment"]],
    ["line comment before separator", ["SELECT --; 1"]],
    ["line comment not started", ["- ;", "END"]],
    ["line comment between lines", ["-- /* \n;", " */ END"]],
    ["block comment contains separator", ["SELECT /* ; */ 1;"]],
    ["nested block comment", ["SELECT /*; /*;*/ ;*/ 1"]],
    ["block comment not started", ["/ * ;", " */ END"]],
    ["separator with no spaces", [";", "END;", ";"]],
    ["separator between spaces", ["BEGIN   ;", "  END"]],
    ["backslash-escaped separator", ["\\;;", "\\;"]],
    ["named dollar tag", ["$tag$ any ; string$tag$"]],
    ["anonymous dollar tag", ['$$"Dane\'s horse"$$']],
    ["dollar tag not started", ['SELECT "$";', " $$"]],
    ["single quote escapes separator", ["SELECT ';' 1"]],
    ["single quote preserves doubled quote", ["SELECT ';'';' 1"]],
    ["literal backslash in single quotes", ["SELECT '\\';", " 1'"]],
    ["double quote escapes separator", ['CREATE POLICY "cats;dogs" on cats_dogs;', " END"]],
    ["double quote preserves single quote", [`CREATE POLICY "cat's and dog's" on cats_dogs;`, " END"]],
    ["double quote preserves doubled quote", ['CREATE POLICY "pet""name" on pets;', " END"]],
    ["parentheses", ['CREATE RULE notify_me AS ON UPDATE TO mytable DO (NOTIFY mytable; SELECT "1");', "SELECT 1"]],
    ["parentheses ignore literals", ["CREATE RULE notify_me AS ON UPDATE TO mytable DO (-- )\nSELECT ')';\n-- )\n)\n"]],
    [
      "BEGIN ATOMIC inline body",
      ["CREATE FUNCTION add(a integer, b integer) RETURNS integer\nLANGUAGE SQL\nIMMUTABLE STRICT PARALLEL SAFE\nRETURNS NULL ON NULL INPUT\nBEGIN ATOMIC\n\tSELECT 'add';\n\tSELECT a + b;\nEND;"],
    ],
    ["BEGIN ATOMIC case insensitive", ["begin atomic; select 'end'; end"]],
    ["BEGIN ATOMIC ignores literals", ["CREATE FUNCTION test() BEGIN\nATOMIC-- END;\n-- END;\nEND\n;"]],
    ["atomic in a table name", ["create table public.atomic_test (id int);", "\nselect 1;"]],
    [
      "atomic in a function name",
      [
        "CREATE OR REPLACE FUNCTION public.my_function_atomic(p_id uuid)\nRETURNS void\nLANGUAGE plpgsql\nAS $$\nBEGIN\n  RAISE NOTICE 'hello';\nEND;\n$$;",
        "\nGRANT EXECUTE ON FUNCTION public.my_function_atomic(uuid) TO authenticated;",
      ],
    ],
    ["atomic in a column name", ["select is_atomic from flags;", "\nselect 1;"]],
    ["digit before atomic", ["select col1atomic from t;", "\nselect 1;"]],
  ])("%s", (_name, statements) => {
    checkSplit(statements);
  });
});

test("SplitAndTrim drops separators, surrounding whitespace and empty statements", () => {
  expect(splitAndTrimSql("\tBEGIN; \n select 1 ;;\n;\n  -- trailing comment\n")).toEqual(["BEGIN", "select 1", "-- trailing comment"]);
  expect(splitAndTrimSql("")).toEqual([]);
  // Go's TrimSpace keeps a byte-order mark, JavaScript's trim() would not.
  expect(splitAndTrimSql("\uFEFFselect 1;")).toEqual(["\uFEFFselect 1"]);
});

test("a function body in dollar quotes stays one statement", () => {
  const sql = `create function api.f() returns int language plpgsql as $body$
begin
  perform 1; -- a ; inside
  return 2;
end
$body$;
grant execute on function api.f() to service_role;`;
  expect(splitAndTrimSql(sql)).toEqual([sql.split(";\ngrant")[0]!, "grant execute on function api.f() to service_role"]);
});
