package dev.plume.smoke.httpclients;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.CloseableHttpResponse;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.springframework.http.client.HttpComponentsClientHttpRequestFactory;
import org.springframework.http.client.reactive.HttpComponentsClientHttpConnector;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientResponseException;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientResponseException;

import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A JDK HTTP server whose requests call a downstream endpoint of the same server with one HTTP client each:
 * {@code GET /call/<client>/<case>} answers {@code <client> <case> <outcome>}, the outcome being the downstream status
 * or the exception's class. Clients: {@code huc} ({@code HttpURLConnection}, reading with {@code getResponseCode}),
 * {@code huc-stream} ({@code connect} first, then {@code getInputStream}, error stream on failure), {@code huc-post} (a
 * fixed-length body through {@code getOutputStream}), {@code huc-https} ({@code HttpsURLConnection} to the HTTPS
 * listener, whose self-signed certificate is made at start with the JDK's keytool; connecting first in the {@code ok}
 * case), {@code resttemplate} (Spring's {@code RestTemplate}, over {@code HttpURLConnection}), {@code okhttp}
 * ({@code Call#execute}), {@code okhttp-async} ({@code enqueue}, awaited), {@code apache4} (HttpClient 4.5),
 * {@code apache4-async} (HttpAsyncClient 4.1, with a callback), {@code apache5} (HttpClient 5 classic),
 * {@code apache5-async} (HttpClient 5's asynchronous client, with a callback), {@code restclient-apache5} (Spring's
 * {@code RestClient} over HttpClient 5), {@code nested-okhttp-huc} (an OkHttp interceptor answering the call through
 * {@code HttpURLConnection}: one span, OkHttp's), {@code webclient} (Spring's {@code WebClient} over Reactor Netty,
 * following redirects), {@code webclient-elastic} (the same, subscribed on Reactor's bounded elastic scheduler),
 * {@code webclient-jdk} (over the JDK's {@code HttpClient}), {@code webclient-apache5} (over HttpClient 5's
 * asynchronous client); each {@code webclient} also takes the case {@code slow} (the downstream answers after 3 s, the
 * client gives up after 300 ms: the exchange is cancelled). Cases: {@code ok} (200), {@code missing} (404),
 * {@code fail} (500), {@code redirect} (302 to {@code ok}), {@code secret} (200, with credentials in the URL where the
 * client takes them, and signed-URL query parameters), {@code refused} (a port where nothing listens).
 *
 * <p>The downstream endpoints, {@code /downstream/<case>}, answer with the {@code traceparent} they received.
 * {@code GET /alloc/<client>?calls=N} measures what one synchronous {@code ok} call costs the request thread.
 * System properties: {@code app.port} (default 0), {@code app.exit.on.stdin.eof}.
 */
public final class HttpClientsApp {
    private static final String QUERY = "?color=blue&sig=s3cret-sig&X-Amz-Signature=s3cret-amz&token=s3cret-token";
    /** A context the application put on its WebClient requests itself: the agent's must replace it. */
    private static final String STALE_TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    private static int port;
    private static int httpsPort;
    private static SSLContext tls;
    private static final OkHttpClient OKHTTP = new OkHttpClient.Builder().build();
    private static final CloseableHttpClient APACHE5 = HttpClients.createDefault();
    private static final CloseableHttpAsyncClient APACHE5_ASYNC = HttpAsyncClients.createDefault();
    private static final org.apache.http.impl.nio.client.CloseableHttpAsyncClient APACHE4_ASYNC =
        org.apache.http.impl.nio.client.HttpAsyncClients.createDefault();
    private static final org.apache.http.impl.client.CloseableHttpClient APACHE4 =
        org.apache.http.impl.client.HttpClients.createDefault();

    private HttpClientsApp() {
    }

    /** Made when first used: the apps that share this source but do not test WebClient need not load its connectors. */
    private static final class WebClients {
        static final WebClient REACTOR_NETTY = WebClient.builder().clientConnector(new ReactorClientHttpConnector(
            reactor.netty.http.client.HttpClient.create().followRedirect(true))).build();
        static final WebClient JDK = WebClient.builder().clientConnector(new JdkClientHttpConnector(
            java.net.http.HttpClient.newBuilder().followRedirects(java.net.http.HttpClient.Redirect.NORMAL).build()))
            .build();
        static final WebClient APACHE5 = WebClient.builder()
            .clientConnector(new HttpComponentsClientHttpConnector(APACHE5_ASYNC)).build();
    }

    public static void main(String[] args) throws Exception {
        APACHE5_ASYNC.start();
        APACHE4_ASYNC.start();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.getInteger("app.port", 0)), 64);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/downstream/", HttpClientsApp::downstream);
        server.createContext("/call/", exchange -> {
            String[] parts = exchange.getRequestURI().getPath().split("/");
            String outcome;
            try {
                outcome = call(parts[2], parts[3]);
            } catch (Throwable t) {
                outcome = t.getClass().getName();
            }
            respond(exchange, 200, parts[2] + " " + parts[3] + " " + outcome);
        });
        server.createContext("/alloc/", exchange -> {
            String outcome;
            try {
                outcome = allocation(exchange.getRequestURI().getPath().substring("/alloc/".length()),
                    exchange.getRequestURI().getQuery());
            } catch (Throwable t) {
                outcome = t.toString();
            }
            respond(exchange, 200, outcome);
        });
        server.start();
        port = server.getAddress().getPort();
        tls = selfSigned();
        HttpsServer https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        https.setHttpsConfigurator(new HttpsConfigurator(tls));
        https.setExecutor(Executors.newFixedThreadPool(2));
        https.createContext("/downstream/", HttpClientsApp::downstream);
        https.start();
        httpsPort = https.getAddress().getPort();
        System.out.println("LISTENING " + port);
        System.out.flush();
        if (Boolean.getBoolean("app.exit.on.stdin.eof")) {
            Thread watcher = new Thread(() -> {
                try (InputStream in = System.in) {
                    while (in.read() >= 0) {
                        // only the end of the stream matters
                    }
                } catch (IOException e) {
                    // a broken stdin means the parent is gone, the same signal as EOF
                }
                System.exit(0);
            }, "http-clients-app-stdin-watcher");
            watcher.setDaemon(true);
            watcher.start();
        }
    }

    private static void downstream(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String traceparent = String.valueOf(exchange.getRequestHeaders().getFirst("traceparent"));
        exchange.getRequestBody().readAllBytes();
        switch (path) {
            case "/downstream/missing" -> respond(exchange, 404, "missing " + traceparent);
            case "/downstream/fail" -> respond(exchange, 500, "fail " + traceparent);
            case "/downstream/slow" -> {
                try {
                    Thread.sleep(3_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                respond(exchange, 200, "slow " + traceparent);
            }
            case "/downstream/redirect" -> {
                exchange.getResponseHeaders().set("Location", "/downstream/ok");
                respond(exchange, 302, "");
            }
            default -> respond(exchange, 200, "ok " + traceparent);
        }
    }

    private static String url(String testCase) {
        return switch (testCase) {
            case "refused" -> "http://127.0.0.1:1/downstream/ok";
            case "secret" -> "http://127.0.0.1:" + port + "/downstream/ok" + QUERY;
            default -> "http://127.0.0.1:" + port + "/downstream/" + testCase;
        };
    }

    /** The same URL with user information, for the clients that accept it. */
    private static String urlWithCredentials(String testCase) {
        return "secret".equals(testCase) ? "http://user:s3cret-pw@127.0.0.1:" + port + "/downstream/ok" + QUERY
            : url(testCase);
    }

    private static String call(String client, String testCase) throws Exception {
        return switch (client) {
            case "huc" -> huc(urlWithCredentials(testCase), false);
            case "huc-stream" -> huc(urlWithCredentials(testCase), true);
            case "huc-post" -> hucPost(url(testCase));
            case "huc-https" -> hucHttps(testCase);
            case "resttemplate" -> restTemplate(url(testCase));
            case "okhttp" -> okhttp(urlWithCredentials(testCase));
            case "okhttp-async" -> okhttpAsync(urlWithCredentials(testCase));
            case "apache4" -> apache4(url(testCase));
            case "apache5" -> apache5(url(testCase));
            case "apache5-async" -> apache5Async(url(testCase));
            case "apache4-async" -> apache4Async(url(testCase));
            case "restclient-apache5" -> restClientApache5(url(testCase));
            case "nested-okhttp-huc" -> nestedOkHttpOverHuc(url(testCase));
            case "webclient" -> webClient(WebClients.REACTOR_NETTY, url(testCase));
            case "webclient-jdk" -> webClient(WebClients.JDK, url(testCase));
            case "webclient-elastic" -> webClientElsewhere(url(testCase));
            case "webclient-apache5" -> webClient(WebClients.APACHE5, url(testCase));
            default -> "unknown client";
        };
    }

    private static String huc(String url, boolean connectFirst) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) new URL(url).openConnection();
        if (!connectFirst) {
            int status = connection.getResponseCode();
            drain(status < 400 ? connection.getInputStream() : connection.getErrorStream());
            return Integer.toString(status);
        }
        connection.connect();
        try (InputStream in = connection.getInputStream()) {
            in.readAllBytes();
            return Integer.toString(connection.getResponseCode());
        } catch (IOException e) {
            drain(connection.getErrorStream());
            int status = connection.getResponseCode(); // read again: no second request, no second span
            return status > 0 ? Integer.toString(status) : e.getClass().getName();
        }
    }

    private static String hucPost(String url) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) new URL(url).openConnection();
        byte[] body = "posted".getBytes(StandardCharsets.UTF_8);
        connection.setDoOutput(true);
        connection.setRequestMethod("POST");
        connection.setFixedLengthStreamingMode(body.length);
        try (OutputStream out = connection.getOutputStream()) {
            out.write(body);
        }
        int status = connection.getResponseCode();
        drain(status < 400 ? connection.getInputStream() : connection.getErrorStream());
        return Integer.toString(status);
    }

    private static String hucHttps(String testCase) throws IOException {
        HttpsURLConnection connection = (HttpsURLConnection) new URL("https://127.0.0.1:" + httpsPort
            + "/downstream/" + testCase).openConnection();
        connection.setSSLSocketFactory(tls.getSocketFactory());
        if (testCase.equals("ok")) {
            connection.connect(); // HTTPS connects through a delegate of its own, before any header is sent
        }
        int status = connection.getResponseCode();
        drain(status < 400 ? connection.getInputStream() : connection.getErrorStream());
        return Integer.toString(status);
    }

    private static String restTemplate(String url) {
        try {
            return new RestTemplate().getForEntity(url, String.class).getStatusCode().value() + "";
        } catch (RestClientResponseException e) {
            return Integer.toString(e.getStatusCode().value());
        } catch (RuntimeException e) {
            return (e.getCause() != null ? e.getCause() : e).getClass().getName();
        }
    }

    private static String okhttp(String url) throws IOException {
        try (Response response = OKHTTP.newCall(new Request.Builder().url(url).build()).execute()) {
            response.body().string();
            return Integer.toString(response.code());
        }
    }

    private static String okhttpAsync(String url) throws Exception {
        CompletableFuture<String> outcome = new CompletableFuture<>();
        OKHTTP.newCall(new Request.Builder().url(url).build()).enqueue(new Callback() {
            @Override
            public void onFailure(Call call, IOException e) {
                outcome.complete(e.getClass().getName());
            }

            @Override
            public void onResponse(Call call, Response response) throws IOException {
                try (Response closed = response) {
                    closed.body().string();
                    outcome.complete(Integer.toString(closed.code()));
                }
            }
        });
        return outcome.get(20, TimeUnit.SECONDS);
    }

    @SuppressWarnings("deprecation")
    private static String apache5(String url) throws IOException {
        try (CloseableHttpResponse response = APACHE5.execute(new HttpGet(url))) {
            org.apache.hc.core5.http.io.entity.EntityUtils.consume(response.getEntity());
            return Integer.toString(response.getCode());
        }
    }

    private static String apache5Async(String url) throws Exception {
        CompletableFuture<String> outcome = new CompletableFuture<>();
        APACHE5_ASYNC.execute(org.apache.hc.client5.http.async.methods.SimpleHttpRequests.create("GET", url),
            new FutureCallback<org.apache.hc.client5.http.async.methods.SimpleHttpResponse>() {
                @Override
                public void completed(org.apache.hc.client5.http.async.methods.SimpleHttpResponse response) {
                    outcome.complete(Integer.toString(response.getCode()));
                }

                @Override
                public void failed(Exception e) {
                    outcome.complete(e.getClass().getName());
                }

                @Override
                public void cancelled() {
                    outcome.complete("cancelled");
                }
            });
        return outcome.get(20, TimeUnit.SECONDS);
    }

    private static String apache4Async(String url) throws Exception {
        CompletableFuture<String> outcome = new CompletableFuture<>();
        APACHE4_ASYNC.execute(new org.apache.http.client.methods.HttpGet(url),
            new org.apache.http.concurrent.FutureCallback<org.apache.http.HttpResponse>() {
                @Override
                public void completed(org.apache.http.HttpResponse response) {
                    outcome.complete(Integer.toString(response.getStatusLine().getStatusCode()));
                }

                @Override
                public void failed(Exception e) {
                    outcome.complete(e.getClass().getName());
                }

                @Override
                public void cancelled() {
                    outcome.complete("cancelled");
                }
            });
        return outcome.get(20, TimeUnit.SECONDS);
    }

    private static String apache4(String url) throws IOException {
        try (org.apache.http.client.methods.CloseableHttpResponse response =
                 APACHE4.execute(new org.apache.http.client.methods.HttpGet(url))) {
            org.apache.http.util.EntityUtils.consume(response.getEntity());
            return Integer.toString(response.getStatusLine().getStatusCode());
        }
    }

    private static String restClientApache5(String url) {
        try {
            return RestClient.builder().requestFactory(new HttpComponentsClientHttpRequestFactory(APACHE5)).build()
                .get().uri(url).retrieve().toEntity(String.class).getStatusCode().value() + "";
        } catch (RestClientResponseException e) {
            return Integer.toString(e.getStatusCode().value());
        } catch (RuntimeException e) {
            return (e.getCause() != null ? e.getCause() : e).getClass().getName();
        }
    }

    /**
     * OkHttp around another traced client: an application interceptor that answers the call itself through
     * {@code HttpURLConnection}, sending none of the OkHttp request's headers (the inner client must send the outer
     * call's context itself). The response has no body, which every OkHttp version accepts.
     */
    private static String nestedOkHttpOverHuc(String url) throws IOException {
        OkHttpClient client = OKHTTP.newBuilder().addInterceptor(chain -> {
            Request request = chain.request();
            HttpURLConnection connection = (HttpURLConnection) request.url().url().openConnection();
            int status = connection.getResponseCode();
            drain(status < 400 ? connection.getInputStream() : connection.getErrorStream());
            return new Response.Builder().request(request).protocol(okhttp3.Protocol.HTTP_1_1).code(status)
                .message("nested").build();
        }).build();
        return Integer.toString(client.newCall(new Request.Builder().url(url).build()).execute().code());
    }

    /** One exchange, awaited on this thread (it subscribes here); {@code slow} gives up after 300 ms. */
    private static String webClient(WebClient webClient, String url) {
        try {
            var response = webClient.get().uri(URI.create(url)).header("traceparent", STALE_TRACEPARENT).retrieve()
                .toBodilessEntity();
            if (url.endsWith("/slow")) {
                response = response.timeout(Duration.ofMillis(300));
            }
            return response.block(Duration.ofSeconds(20)).getStatusCode().value() + "";
        } catch (WebClientResponseException e) {
            return Integer.toString(e.getStatusCode().value());
        } catch (RuntimeException e) {
            return e.getCause() instanceof java.util.concurrent.TimeoutException ? "timeout" : e.getClass().getName();
        }
    }

    /**
     * One exchange subscribed on Reactor's bounded elastic scheduler, not on this thread: the subscription is a task
     * handed to an executor, which carries this request's context to it.
     */
    private static String webClientElsewhere(String url) {
        try {
            return WebClients.REACTOR_NETTY.get().uri(URI.create(url)).header("traceparent", STALE_TRACEPARENT)
                .retrieve().toBodilessEntity()
                .subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic()).block(Duration.ofSeconds(20))
                .getStatusCode().value() + "";
        } catch (WebClientResponseException e) {
            return Integer.toString(e.getStatusCode().value());
        } catch (RuntimeException e) {
            return e.getClass().getName();
        }
    }

    /**
     * What one synchronous call of {@code client} to {@code /downstream/ok} costs the calling thread: N calls to warm
     * up, then N measured, as bytes allocated and nanoseconds per call.
     */
    private static String allocation(String client, String query) throws Exception {
        int calls = query != null && query.startsWith("calls=") ? Integer.parseInt(query.substring(6)) : 2_000;
        com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        for (int i = 0; i < calls; i++) {
            call(client, "ok");
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        long start = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            call(client, "ok");
        }
        long nanos = System.nanoTime() - start;
        long bytes = threads.getCurrentThreadAllocatedBytes() - before;
        return String.format("calls=%d bytes_per_call=%d ns_per_call=%d", calls, bytes / calls, nanos / calls);
    }

    private static void drain(InputStream in) throws IOException {
        if (in != null) {
            try (InputStream closed = in) {
                closed.readAllBytes();
            }
        }
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
        exchange.close();
    }

    /** A key pair and self-signed certificate for 127.0.0.1, made with the JDK's keytool; trusted by the clients. */
    private static SSLContext selfSigned() throws Exception {
        Path dir = Files.createTempDirectory("http-clients-app");
        Path store = dir.resolve("server.p12");
        char[] password = "changeit".toCharArray();
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
            "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1",
            "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(),
            "-storepass", "changeit", "-keypass", "changeit").redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (keytool.waitFor() != 0) {
            throw new IllegalStateException("keytool failed: " + output);
        }
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, password);
        }
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, password);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(keys);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers.getKeyManagers(), trust.getTrustManagers(), null);
        Files.delete(store);
        Files.delete(dir);
        return context;
    }
}
