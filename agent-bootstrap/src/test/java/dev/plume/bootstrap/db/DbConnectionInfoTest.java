package dev.plume.bootstrap.db;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DbConnectionInfoTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        "jdbc:postgresql://db.example:6543/shop?user=x         | postgresql           | shop   | db.example | 6543",
        "jdbc:postgresql://127.0.0.1/test                      | postgresql           | test   | 127.0.0.1  | 5432",
        "jdbc:postgresql://h1:5433,h2:5434/app                 | postgresql           | app    | h1         | 5433",
        "jdbc:mariadb://root:pw@localhost:3307/test            | mariadb              | test   | localhost  | 3307",
        "jdbc:mysql://[::1]:3306/app                           | mysql                | app    | ::1        | 3306",
        "jdbc:mysql:loadbalance://m1:3306,m2/app               | mysql                | app    | m1         | 3306",
        "jdbc:sqlserver://sql.example:1444;databaseName=orders | microsoft.sql_server | orders | sql.example | 1444",
        "jdbc:sqlserver://sql.example\\\\inst;database=x       | microsoft.sql_server | x      | sql.example | 1433",
        "jdbc:oracle:thin:@ora.example:1522:ORCL               | oracle.db            | ORCL   | ora.example | 1522",
        "jdbc:oracle:thin:@//ora.example/service               | oracle.db            | service | ora.example | 1521",
        "jdbc:h2:mem:plume;DB_CLOSE_DELAY=-1                   | h2                   | plume  | -          | -1",
        "jdbc:h2:tcp://h2host:9093/data                        | h2                   | data   | h2host     | 9093",
        "jdbc:hsqldb:mem:testdb                                | hsqldb               | testdb | -          | -1",
        "jdbc:p6spy:postgresql://pg:5432/app                   | postgresql           | app    | pg         | 5432",
        "jdbc:unknown:thing                                    | other_sql            | -      | -          | -1",
        "not a url                                             | other_sql            | -      | -          | -1",
    })
    void urlsGiveSystemNamespaceAndServer(String url, String system, String namespace, String host, int port) {
        DbConnectionInfo info = DbConnectionInfo.fromUrl(url.replace("\\\\", "\\"));
        assertEquals(system, info.system());
        assertEquals(namespace, info.namespace());
        assertEquals(host, info.host());
        assertEquals(port, info.port());
    }
}
