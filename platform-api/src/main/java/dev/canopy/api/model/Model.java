package dev.canopy.api.model;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

@Entity
@Table(name = "models")
class Model {

    @Id
    UUID id;

    @Column(name = "team_id", nullable = false)
    UUID teamId;

    @Column(name = "name", nullable = false, length = 100)
    String name;

    @Column(name = "description", length = 2000)
    String description;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "tags", nullable = false, columnDefinition = "jsonb")
    Map<String, String> tags = new HashMap<>();

    @Column(name = "created_at", nullable = false)
    Instant createdAt;

    protected Model() {}

    /** Sets the description when given ("" clears it) and merges tags (a null value removes that tag). */
    void annotate(String newDescription, Map<String, String> tagChanges) {
        description = Annotations.description(description, newDescription);
        tags = Annotations.mergeTags(tags, tagChanges);
    }
}
