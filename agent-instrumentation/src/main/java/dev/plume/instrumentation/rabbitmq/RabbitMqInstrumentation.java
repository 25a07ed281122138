package dev.plume.instrumentation.rabbitmq;

import dev.plume.instrumentation.LibraryInstrumentation;
import dev.plume.instrumentation.MethodSelector;
import dev.plume.instrumentation.TypeTarget;

import java.util.List;

/**
 * RabbitMQ's Java client, amqp-client 5.x. Every channel is a {@code ChannelN} underneath (an auto-recovering channel
 * delegates to one): {@code basicPublish} is a PRODUCER span whose context goes into the message's headers,
 * {@code basicGet} a CONSUMER receive span, and {@code basicConsume} remembers which queue a consumer tag reads. Every
 * {@code Consumer}'s {@code handleDelivery} (the application's, and the one the client makes around a
 * {@code DeliverCallback}) is a CONSUMER process span, a child of the publisher's context. The channel carries its
 * broker's address in the agent's field.
 */
public final class RabbitMqInstrumentation implements LibraryInstrumentation {
    private static final String CHANNEL = "com.rabbitmq.client.impl.ChannelN";
    private static final String STRING = "java.lang.String";

    @Override
    public String name() {
        return "rabbitmq";
    }

    @Override
    public List<TypeTarget> targets() {
        return List.of(
            TypeTarget.named(CHANNEL).carriesContext()
                // (exchange, routingKey, mandatory, immediate, props, byte[] body): every byte[] publish ends here
                .advice(RabbitPublishAdvice.class, MethodSelector.named("basicPublish").parameters(6))
                // 5.30 and later: (..., props, ByteBuffer body, WriteListener), published without the byte[] one
                .advice(RabbitPublishBufferAdvice.class, MethodSelector.named("basicPublish").parameters(7))
                .advice(RabbitGetAdvice.class, MethodSelector.named("basicGet").parameters(2))
                .advice(RabbitConsumeAdvice.class, MethodSelector.named("basicConsume").parameters(7)
                    .parameterTypes(STRING))
                .advice(RabbitCancelAdvice.class, MethodSelector.named("basicCancel").parameters(1)),
            TypeTarget.subtypesOf("com.rabbitmq.client.Consumer")
                .advice(RabbitDeliveryAdvice.class, MethodSelector.named("handleDelivery").parameters(4)
                    .parameterTypes(STRING, "com.rabbitmq.client.Envelope", "com.rabbitmq.client.AMQP$BasicProperties")));
    }
}
