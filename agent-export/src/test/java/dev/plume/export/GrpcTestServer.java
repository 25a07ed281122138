package dev.plume.export;

import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServerTransportFilter;
import io.grpc.Attributes;
import io.grpc.InsecureServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real OTLP/gRPC receiver (grpc-java over Netty) on 127.0.0.1, implementing {@code TraceService/Export} with the
 * official message classes; each call is answered as the test's {@link Behaviour} says.
 */
public final class GrpcTestServer implements AutoCloseable {
    /** How to answer the call with this index (0 for the first). */
    public interface Behaviour {
        void answer(int call, ExportTraceServiceRequest request, StreamObserver<ExportTraceServiceResponse> response);
    }

    public static final Behaviour OK = (call, request, response) -> {
        response.onNext(ExportTraceServiceResponse.getDefaultInstance());
        response.onCompleted();
    };

    static final MethodDescriptor<ExportTraceServiceRequest, ExportTraceServiceResponse> EXPORT =
        MethodDescriptor.<ExportTraceServiceRequest, ExportTraceServiceResponse>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName("opentelemetry.proto.collector.trace.v1.TraceService/Export")
            .setRequestMarshaller(ProtoUtils.marshaller(ExportTraceServiceRequest.getDefaultInstance()))
            .setResponseMarshaller(ProtoUtils.marshaller(ExportTraceServiceResponse.getDefaultInstance()))
            .build();

    private final Server server;
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicInteger connections = new AtomicInteger();
    private final List<ExportTraceServiceRequest> received = new CopyOnWriteArrayList<>();
    private final List<ExportTraceServiceRequest> accepted = new CopyOnWriteArrayList<>();
    private final List<Metadata> headers = new CopyOnWriteArrayList<>();

    private GrpcTestServer(int port, ServerCredentials credentials, Behaviour behaviour) throws IOException {
        ServerServiceDefinition service = ServerServiceDefinition
            .builder("opentelemetry.proto.collector.trace.v1.TraceService")
            .addMethod(EXPORT, ServerCalls.asyncUnaryCall((request, response) -> {
                received.add(request);
                behaviour.answer(calls.getAndIncrement(), request, new StreamObserver<>() {
                    private boolean answered;

                    @Override
                    public void onNext(ExportTraceServiceResponse value) {
                        answered = true;
                        response.onNext(value);
                    }

                    @Override
                    public void onError(Throwable error) {
                        response.onError(error);
                    }

                    @Override
                    public void onCompleted() {
                        if (answered) {
                            accepted.add(request);
                        }
                        response.onCompleted();
                    }
                });
            }))
            .build();
        ServerInterceptor captureHeaders = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata metadata,
                                                              ServerCallHandler<Q, R> next) {
                headers.add(metadata);
                return next.startCall(call, metadata);
            }
        };
        server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                credentials)
            .addService(ServerInterceptors.intercept(service, captureHeaders))
            .addTransportFilter(new ServerTransportFilter() {
                @Override
                public Attributes transportReady(Attributes attributes) {
                    connections.incrementAndGet();
                    return attributes;
                }
            })
            .build()
            .start();
    }

    public static GrpcTestServer start(Behaviour behaviour) throws IOException {
        return new GrpcTestServer(0, InsecureServerCredentials.create(), behaviour);
    }

    public static GrpcTestServer start(int port, ServerCredentials credentials, Behaviour behaviour)
        throws IOException {
        return new GrpcTestServer(port, credentials, behaviour);
    }

    public int port() {
        return server.getPort();
    }

    public String endpoint(String scheme) {
        return scheme + "://127.0.0.1:" + port();
    }

    public int calls() {
        return calls.get();
    }

    public int connections() {
        return connections.get();
    }

    public List<ExportTraceServiceRequest> received() {
        return received;
    }

    /** The requests answered OK, in the order their answers went out. */
    public List<ExportTraceServiceRequest> accepted() {
        return accepted;
    }

    public List<Metadata> headers() {
        return headers;
    }

    public List<String> spanNames() {
        return received.stream()
            .flatMap(r -> r.getResourceSpansList().stream())
            .flatMap(r -> r.getScopeSpansList().stream())
            .flatMap(s -> s.getSpansList().stream())
            .map(s -> s.getName())
            .toList();
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow();
        server.awaitTermination(10, TimeUnit.SECONDS);
    }
}
