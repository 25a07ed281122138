package dev.plume.bootstrap.db;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SqlQueryTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
        "SELECT * FROM t WHERE name = 'bob'                 | SELECT * FROM t WHERE name = ?",
        "SELECT * FROM t WHERE name = 'it''s'               | SELECT * FROM t WHERE name = ?",
        "SELECT * FROM t WHERE id = 42 AND x > -3.5e-2      | SELECT * FROM t WHERE id = ? AND x > -?",
        "SELECT * FROM t WHERE x = .5                       | SELECT * FROM t WHERE x = ?",
        "SELECT * FROM t WHERE b = 0xDEADbeef               | SELECT * FROM t WHERE b = ?",
        "SELECT * FROM t WHERE b = X'0F' OR c = B'0101'     | SELECT * FROM t WHERE b = ? OR c = ?",
        "SELECT * FROM t WHERE n = N'text' OR e = E'a\\n'   | SELECT * FROM t WHERE n = ? OR e = ?",
        "SELECT * FROM t WHERE ok = TRUE OR ok = false      | SELECT * FROM t WHERE ok = ? OR ok = ?",
        "SELECT * FROM t WHERE v IS NULL                    | SELECT * FROM t WHERE v IS NULL",
        "SELECT $$a secret$$, $tag$x$tag$ FROM t            | SELECT ?, ? FROM t",
        "SELECT * FROM t WHERE id = $1 AND v = $2           | SELECT * FROM t WHERE id = $1 AND v = $2",
        "SELECT * FROM t WHERE id IN (1, 2, 3)              | SELECT * FROM t WHERE id IN (?)",
        "SELECT * FROM t WHERE id in ( 'a' , 'b' )          | SELECT * FROM t WHERE id in (?)",
        "SELECT * FROM t WHERE id IN (SELECT id FROM u)     | SELECT * FROM t WHERE id IN (SELECT id FROM u)",
        "SELECT a1, t2.b FROM t2 -- the 'comment'\\nWHERE x=1 | SELECT a1, t2.b FROM t2 WHERE x=?",
        "SELECT /* 'hidden' 42 */ a FROM t                  | SELECT a FROM t",
        "SELECT a FROM t # mysql comment 'x'               | SELECT a FROM t",
        "SELECT \"Col\" FROM \"Table\" WHERE a = 'x'        | SELECT \"Col\" FROM \"Table\" WHERE a = ?",
        "SELECT `col` FROM `t` WHERE a = 'x'                | SELECT `col` FROM `t` WHERE a = ?",
        "SELECT data #> '{a,b}' FROM t                      | SELECT data #> ? FROM t",
        "INSERT INTO t (a, b) VALUES ('x', 12)              | INSERT INTO t (a, b) VALUES (?, ?)",
        "UPDATE t SET a = 'unterminated                     | UPDATE t SET a = ?",
        "SELECT * FROM t WHERE a = 1 /* open comment 'x'    | SELECT * FROM t WHERE a = ?",
    })
    void literalsBecomePlaceholders(String sql, String expected) {
        assertEquals(expected, SqlQuery.of(sql.replace("\\n", "\n"), false).text());
    }

    @Test
    void doubleQuotesAreStringsInMysqlDialects() {
        assertEquals("SELECT * FROM t WHERE a = ?", SqlQuery.of("SELECT * FROM t WHERE a = \"secret\"", true).text());
        assertEquals("SELECT * FROM t WHERE a = \"col\"", SqlQuery.of("SELECT * FROM t WHERE a = \"col\"", false).text());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "SELECT a FROM owners WHERE id = 1             | SELECT | owners",
        "select a from public.owners o where o.id = 1   | SELECT | public.owners",
        "SELECT a FROM owners o JOIN pets p ON o.id = p.owner | SELECT |",
        "SELECT a FROM owners, pets                     | SELECT |",
        "SELECT a FROM (SELECT b FROM pets) x           | SELECT |",
        "SELECT 1                                       | SELECT |",
        "INSERT INTO owners (a) VALUES (1)              | INSERT | owners",
        "UPDATE owners SET a = 1                        | UPDATE | owners",
        "DELETE FROM owners WHERE id = 2                | DELETE | owners",
        "CREATE TABLE IF NOT EXISTS owners (id INT)     | CREATE | owners",
        "DROP TABLE owners                              | DROP   | owners",
        "CALL refresh(1)                                | CALL   |",
        "SELEC oops FROM owners                         |        |",
    })
    void operationAndTable(String sql, String operation, String table) {
        SqlQuery query = SqlQuery.of(sql, false);
        assertEquals(operation, query.operation());
        assertEquals(table, query.collection());
    }

    @Test
    void aLongQueryIsCutAndStillSanitized() {
        String sql = "SELECT a FROM t WHERE a IN (" + "'v', ".repeat(5_000) + "'v')";
        SqlQuery query = SqlQuery.of(sql, false);
        assertTrue(query.text().length() <= SqlQuery.MAX_LENGTH + 4, String.valueOf(query.text().length()));
        assertTrue(query.text().endsWith(" ..."), query.text());
        assertFalse(query.text().contains("'v'"));
    }

    @Test
    void aTextIsParsedOnce() {
        String sql = new StringBuilder("SELECT a FROM cached WHERE b = ").append(7).toString();
        assertSame(SqlQuery.of(sql, false), SqlQuery.of(new String(sql), false));
    }

    @Test
    void unsanitizedKeepsTheTextAndStillSummarizes() {
        SqlQuery query = SqlQuery.unsanitized("SELECT a FROM t WHERE b = 'x'");
        assertEquals("SELECT a FROM t WHERE b = 'x'", query.text());
        assertEquals("SELECT", query.operation());
        assertEquals("t", query.collection());
        assertNull(SqlQuery.of(null, false));
    }
}
