package dev.plume.export.otlp;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;

/**
 * The TLS material of {@code otel.exporter.otlp.certificate} (CAs to trust, PEM), {@code .client.key} (PKCS#8 PEM) and
 * {@code .client.certificate} (PEM chain, for mTLS). Loaded once on the exporter thread; a file that cannot be used
 * is an {@link InvalidFile} naming the key and the path, never a half-configured connection.
 */
final class OtlpTls {
    /** A configured TLS file that cannot be read or parsed. */
    static final class InvalidFile extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidFile(String key, String path, String reason) {
            super(key + "=" + path + ": " + reason);
        }
    }

    private final SSLContext context;
    private final X509TrustManager trustManager;

    private OtlpTls(SSLContext context, X509TrustManager trustManager) {
        this.context = context;
        this.trustManager = trustManager;
    }

    /** The TLS set-up for these files, or null when none is configured (the JDK's defaults then apply). */
    static OtlpTls load(OtlpExporterSettings.TlsFiles files) throws InvalidFile {
        if (files.certificate() == null && files.clientKey() == null && files.clientCertificate() == null) {
            return null;
        }
        if ((files.clientKey() == null) != (files.clientCertificate() == null)) {
            String missing = files.clientKey() == null ? files.clientKeyKey() : files.clientCertificateKey();
            String present = files.clientKey() == null ? files.clientCertificateKey() : files.clientKeyKey();
            throw new InvalidFile(present, files.clientKey() == null ? files.clientCertificate() : files.clientKey(),
                "mTLS needs both a client key and a client certificate; " + missing + " is not set");
        }
        try {
            X509TrustManager trust = trustManager(files);
            KeyManager[] keys = null;
            if (files.clientKey() != null) {
                keys = keyManagers(files);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys, new TrustManager[] {trust}, null);
            return new OtlpTls(context, trust);
        } catch (GeneralSecurityException e) {
            throw new InvalidFile(files.certificateKey(), String.valueOf(files.certificate()),
                "cannot set up TLS: " + e.getMessage());
        }
    }

    SSLContext context() {
        return context;
    }

    X509TrustManager trustManager() {
        return trustManager;
    }

    private static X509TrustManager trustManager(OtlpExporterSettings.TlsFiles files)
        throws InvalidFile, GeneralSecurityException {
        KeyStore trusted = null;
        if (files.certificate() != null) {
            Collection<? extends Certificate> cas = certificates(files.certificateKey(), files.certificate());
            trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            try {
                trusted.load(null, null);
            } catch (IOException e) {
                throw new GeneralSecurityException(e);
            }
            int i = 0;
            for (Certificate ca : cas) {
                trusted.setCertificateEntry("ca-" + i++, ca);
            }
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trusted); // null: the JDK's default CAs
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509TrustManager x509) {
                return x509;
            }
        }
        throw new GeneralSecurityException("no X.509 trust manager");
    }

    private static KeyManager[] keyManagers(OtlpExporterSettings.TlsFiles files)
        throws InvalidFile, GeneralSecurityException {
        Collection<? extends Certificate> chain = certificates(files.clientCertificateKey(), files.clientCertificate());
        PrivateKey key = privateKey(files.clientKeyKey(), files.clientKey());
        char[] password = new char[0];
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        try {
            store.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        try {
            store.setKeyEntry("client", key, password, chain.toArray(new Certificate[0]));
        } catch (GeneralSecurityException e) {
            throw new InvalidFile(files.clientKeyKey(), files.clientKey(),
                "the key does not go with " + files.clientCertificateKey() + ": " + e.getMessage());
        }
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(store, password);
        return factory.getKeyManagers();
    }

    private static Collection<? extends Certificate> certificates(String key, String path) throws InvalidFile {
        byte[] pem = read(key, path);
        try {
            Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(pem));
            if (certificates.isEmpty()) {
                throw new InvalidFile(key, path, "no PEM certificate in the file");
            }
            return certificates;
        } catch (GeneralSecurityException e) {
            throw new InvalidFile(key, path, "not a PEM certificate (" + e.getMessage() + ")");
        }
    }

    private static PrivateKey privateKey(String key, String path) throws InvalidFile {
        String pem = new String(read(key, path), StandardCharsets.US_ASCII);
        String begin = "-----BEGIN PRIVATE KEY-----";
        String end = "-----END PRIVATE KEY-----";
        int from = pem.indexOf(begin);
        int to = pem.indexOf(end);
        if (from < 0 || to < from) {
            throw new InvalidFile(key, path, "not a PKCS#8 PEM private key (expected " + begin + ")");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to));
        } catch (IllegalArgumentException e) {
            throw new InvalidFile(key, path, "the PEM key is not valid base64");
        }
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "EdDSA"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new InvalidFile(key, path, "the PKCS#8 key is not an RSA, EC or EdDSA key");
    }

    private static byte[] read(String key, String path) throws InvalidFile {
        try {
            return Files.readAllBytes(Path.of(path));
        } catch (IOException | RuntimeException e) {
            throw new InvalidFile(key, path, "cannot read the file (" + e.getClass().getSimpleName() + ")");
        }
    }
}
