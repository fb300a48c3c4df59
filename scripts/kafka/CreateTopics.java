// Creates Kafka topics (one partition, replication 1) through the AdminClient of the
// broker's own kafka-clients jar; run as a single-file program:
//   java -cp "JARS/*" scripts/kafka/CreateTopics.java BOOTSTRAP TOPIC...
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

public class CreateTopics {
    public static void main(String[] args) throws Exception {
        Properties properties = new Properties();
        properties.put("bootstrap.servers", args[0]);
        List<NewTopic> topics = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            topics.add(new NewTopic(args[i], 1, (short) 1));
        }
        try (Admin admin = Admin.create(properties)) {
            admin.createTopics(topics).all().get();
        }
    }
}
